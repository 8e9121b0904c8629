// The upgrade's terminal output: the readiness plan as a table and its
// blockers, and the runbook's state as a checklist.
import { stackName } from '../platform/stack-name.js';
import { alignedColumns, printable } from '../report/index.js';
import { upgradeCommand, type UpgradeAddress } from './command.js';
import type { UpgradePlan } from './plan.js';
import { currentStep, resumeCommand, stepsOf, weightsOf, type StepId, type UpgradeState } from './state.js';
import { formatDuration } from './wait.js';

export { upgradeCommand, type UpgradeAddress } from './command.js';

export function formatPlan(plan: UpgradePlan, address: UpgradeAddress = {}): string {
  const { from, to } = plan;
  const lines = [`upgrade ${plan.platform}: ${from.name} (Kubernetes ${from.kubernetesVersion}, weight ${from.weight}) → ${to.name} (Kubernetes ${to.kubernetesVersion}, weight ${to.weight})`];
  lines.push(`versions skipped: ${plan.skippedVersions.length ? plan.skippedVersions.join(', ') : 'none'}`, '');
  const rows = plan.services.map((service) => [
    printable(service.service),
    String(service.objects),
    String(service.removedApis),
    service.problems ? 'cannot render' : service.removedApis ? 'blocked' : 'ok',
  ]);
  lines.push(...alignedColumns(['SERVICE', `OBJECTS ON ${to.name.toUpperCase()}`, 'REMOVED APIS', 'STATUS'], rows, 'lrrl'), '');
  for (const blocker of plan.blockers) {
    const who = [blocker.service, blocker.object].filter(Boolean).join(': ');
    lines.push(`✗ ${who ? `${printable(who)}: ` : ''}${printable(blocker.message)}`);
  }
  for (const note of plan.notes) lines.push(`• ${note}`);
  lines.push(plan.ready ? `ready: ${upgradeCommand('start', address)} --from ${from.name} --to ${to.name}` : `not ready: ${plan.blockers.length} blocker(s)`);
  return `${lines.join('\n')}\n`;
}

const STEP_TITLES: Record<string, (state: UpgradeState, step: StepId) => string> = {
  preflight: () => 'preflight (readiness plan)',
  deploy: (state) => `deploy ${state.to.name} (cdk deploy ${stackName({ platform: { name: state.platform } }, state.to.name)})`,
  sync: (state) => `${state.to.name}'s Argo CD: every Application Synced and Healthy`,
  finish: (state) => `finish: retire ${state.from.name} (its Applications pruned), wait until Route 53 has no record of it, remove it`,
};

export function stepTitle(state: UpgradeState, step: StepId): string {
  const title = STEP_TITLES[step];
  if (title) return title(state, step);
  const index = Number(step.slice('weight-'.length));
  const weights = weightsOf(state, index);
  return `weight ${state.weightSteps[index - 1]}%: ${state.from.name} ${weights[state.from.name]}, ${state.to.name} ${weights[state.to.name]}`;
}

export function formatStatus(state: UpgradeState, address: UpgradeAddress = {}, at = Date.now()): string {
  const current = currentStep(state);
  const weights = Object.entries(state.weights).map(([cluster, weight]) => `${cluster} ${weight}`).join(', ');
  const lines = [
    `upgrade ${state.platform}: ${state.from.name} (${state.from.kubernetesVersion}) → ${state.to.name} (${state.to.kubernetesVersion}), started ${state.startedAt}`,
    `weights (last verified): ${weights}; soak ${formatDuration(state.soakMs)} per weight step`,
  ];
  for (const step of stepsOf(state)) {
    const done = state.done[step];
    const mark = done ? '✓' : step === current ? '→' : '·';
    lines.push(`  ${mark} ${stepTitle(state, step)}${done ? `  (${done})` : ''}`);
  }
  const started = state.inProgress?.step;
  const resume = started && resumeCommand(started, address);
  if (state.inProgress) lines.push(`started and not verified: ${state.inProgress.step} (since ${state.inProgress.since}): run ${resume} to complete it`);
  for (const rollback of state.rollbacks) lines.push(`rolled back at ${rollback.at}`);
  const soakLeft = state.soakUntil ? Date.parse(state.soakUntil) - at : 0;
  // A rollback or finish left unverified is completed by its own command; any other step by next, as below.
  if (started === 'rollback' || started === 'finish') lines.push(`next: ${resume}`);
  else if (current === undefined) lines.push(`finished: ${state.from.name} is removed from platform.yaml`);
  else if (current === 'finish') lines.push(`next: ${upgradeCommand('finish', address)}${soakLeft > 0 ? ` (after the soak: ${formatDuration(soakLeft)} left)` : ''}`);
  else lines.push(`next: ${upgradeCommand('next', address)}${soakLeft > 0 && current.startsWith('weight-') ? ` (after the soak: ${formatDuration(soakLeft)} left)` : ''}`);
  return `${lines.join('\n')}\n`;
}
