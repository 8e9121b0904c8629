// The deploy flow's shared shapes: where a service's image is pinned, and what
// a release changes. (Contract between image editing, git work and `kaji bump`.)

/** How an image is pinned in a file of the manifest repository. */
export type PinKind = 'kustomize' | 'yaml';

/** One place a service's image is pinned. */
export interface ImagePin {
  /** Path relative to the manifest folder (forward slashes). */
  readonly file: string;
  readonly kind: PinKind;
  /** The image name as the file names it (kustomize `name`, or the repository of an `image:` field). */
  readonly image: string;
  readonly tag?: string;
  /** `sha256:…` when pinned by digest. */
  readonly digest?: string;
}

/** What a release pins: a tag, and optionally the digest it must resolve to. */
export interface ImageVersion {
  readonly tag: string;
  readonly digest?: string;
}

/** One file's change in a release. */
export interface PinChange {
  readonly cluster: string;
  readonly file: string;
  readonly from: Partial<ImageVersion>;
  readonly to: ImageVersion;
}
