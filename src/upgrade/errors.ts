// The two ways an upgrade command stops short: it cannot run as asked (a usage
// problem: exit 2), or a step did not complete (exit 1; the state says where
// it stands, and `kaji upgrade next` tries the step again).

/** The command cannot run as given: an unknown cluster, no state file, a missing flag. */
export class UpgradeError extends Error {
  override readonly name = 'UpgradeError';
}

/** A step ran and did not complete (or was not verified in time); nothing is marked done. */
export class StepFailedError extends Error {
  override readonly name = 'StepFailedError';
}
