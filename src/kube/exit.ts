// What kaji undoes when it exits before finishing its work: an interrupted kaji
// (Ctrl-C, SIGTERM) ends through process.exit in removeTemporariesOnInterrupt,
// and a library caller may call process.exit too. One 'exit' listener runs all
// of it, in an order of kaji's rather than the order in which the pieces were
// first used: the processes kaji started are stopped before the folders they
// may write into are removed. Everything here is synchronous: nothing
// asynchronous runs at exit.

/** 'stop processes' runs before 'remove folders'. */
export type ExitStep = 'stop processes' | 'remove folders';

const steps: Readonly<Record<ExitStep, Set<() => void>>> = { 'stop processes': new Set(), 'remove folders': new Set() };
let listening = false;

/** Runs `action` at `step` if kaji exits before the returned function is called. */
export function atExit(step: ExitStep, action: () => void): () => void {
  if (!listening) process.on('exit', runExitSteps);
  listening = true;
  steps[step].add(action);
  return () => void steps[step].delete(action);
}

function runExitSteps(): void {
  for (const actions of [steps['stop processes'], steps['remove folders']]) {
    for (const action of actions) {
      try {
        action();
      } catch {
        // kaji is exiting with nothing left to report it to; the other actions still run
      }
    }
  }
}
