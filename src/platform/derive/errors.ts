/** A derive function given input it cannot turn into safe files (a name kaji reserves, a path outside the cluster's folder). */
export class DeriveError extends Error {
  override readonly name = 'DeriveError';
}
