// The deploy flow: byte-exact image edits, git work, forges (GitHub), `kaji bump`.
export type * from './types.js';
