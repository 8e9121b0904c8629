// The deploy flow: byte-exact image edits, git work, forges (GitHub), `kaji bump`.
export type * from './types.js';
export { GitError, Workspace, isUrl, redact } from './git.js';
export type { WorkspaceOptions, PushToBaseOptions } from './git.js';
export { GitHubError, GitHubForge, githubRepositoryOf } from './github.js';
export type { GitHubOptions, PullRequestRequest, PullRequestResult } from './github.js';
