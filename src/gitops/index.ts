// The deploy flow: byte-exact image edits, git work, forges (GitHub), `kaji bump`.
export type * from './types.js';
export { GitError, Workspace, isUrl, redact } from './git.js';
export type { BaseCommit, WorkspaceOptions, PushToBaseOptions, PushToBaseResult } from './git.js';
export { GitHubError, GitHubForge, githubRepositoryOf } from './github.js';
export type { GitHubOptions, PullRequestRequest, PullRequestResult } from './github.js';
export { validateTag, validateDigest, formatVersion, parseImageReference, setKustomizeImage, setImageFields, kustomizeImageEntries, ImageEditError } from './image-edit.js';
export type { FileEdit, ImageReference } from './image-edit.js';
export { bump, bumpBranch, pullRequestBody, titleOf, BumpError, BUMP_LABEL } from './bump.js';
export type { BumpOptions, BumpResult, BumpMode, AddedDanger, UncheckedInput, ClusterPolicy } from './bump.js';
