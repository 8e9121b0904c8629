import { Command, Option } from 'commander';
import { join, resolve } from 'node:path';
import {
  CapacityError,
  CapacityInputError,
  formatCapacityJson,
  formatCapacityTable,
  HEADROOM_PRIORITY_CLASS,
  readCluster,
  readSnapshot,
  SNAPSHOT_COMMAND,
  summarizeCapacity,
} from '../capacity/index.js';
import { displayPath, STDIN_NAME } from '../kube/index.js';
import { loadPlatform } from '../platform/index.js';
import { printable } from '../report/index.js';
import { reportProblems, UsageError, type Io } from './common.js';
import type { Outcome } from './program.js';

interface CapacityFlags {
  from?: string;
  context?: string;
  kubeconfig?: string;
  platform?: string;
  output: 'table' | 'json';
}

/** Exit codes of `kaji capacity`. */
export const CAPACITY_EXIT = { ok: 0, usage: 2 } as const;

export function registerCapacity(program: Command, io: Io, outcome: Outcome): void {
  program
    .command('capacity')
    .summary("show a cluster's spot and on-demand capacity, pods waiting for a node, and the headroom")
    .description(
      "Show a running cluster's capacity as the scheduler counts it: per capacity type (spot, on-demand; from " +
        "Karpenter's karpenter.sh/capacity-type or a managed node group's eks.amazonaws.com/capacityType) the nodes, " +
        'their allocatable cpu and memory, what the pods bound to them request (effective requests: init and sidecar ' +
        'containers and overhead counted as Kubernetes does; Succeeded and Failed pods hold nothing) and the utilisation; ' +
        'the spot share of nodes and of cpu; the nodes no new pod can land on (cordoned, NotReady, or tainted while ' +
        'Karpenter or the node lifecycle removes them), which add nothing to the room free for a new pod; ' +
        'the same by NodePool (or node group), instance type and zone; the pods ' +
        `the scheduler found no node for, with their requests; and the headroom pods (PriorityClass ${HEADROOM_PRIORITY_CLASS}), ` +
        'running and pending.\n\n' +
        'The objects come from the cluster through kubectl (kubectl get nodes, kubectl get pods --all-namespaces; ' +
        'set KAJI_KUBECTL to use another kubectl binary), or with --from from a snapshot file that ' +
        `\`${SNAPSHOT_COMMAND}\` wrote (JSON or YAML; - for standard input).\n\n` +
        "With --platform, platform.yaml's capacity.capacityTypes says whether kaji's NodePool allows spot: " +
        'without spot there, no spot node is what the platform asks for, and the hint about EC2 Spot\'s service-linked role is left out.',
    )
    .option('--from <file>', 'read a snapshot file instead of the cluster (- for standard input)')
    .option('--context <name>', 'the kubeconfig context kubectl uses (default: the current context)')
    .option('--kubeconfig <file>', 'the kubeconfig file kubectl reads (default: KUBECONFIG or ~/.kube/config)')
    .option('--platform <dir>', 'the folder holding platform.yaml, for its capacity.capacityTypes (default: none read)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      `\nExit codes: ${CAPACITY_EXIT.usage} bad flags, an invalid platform.yaml (--platform), a snapshot that cannot be read or holds no Node, or kubectl failed (its reason ` +
        `is printed: check the context, the kubeconfig and your credentials); ${CAPACITY_EXIT.ok} otherwise.\n\n` +
        'Examples:\n' +
        '  kaji capacity\n' +
        '  kaji capacity --context green -o json | jq .spotShare\n' +
        '  kaji capacity --context green --platform examples/labs\n' +
        `  ${SNAPSHOT_COMMAND} > snapshot.json && kaji capacity --from snapshot.json\n` +
        `  ${SNAPSHOT_COMMAND} | kaji capacity --from -\n`,
    )
    .action(async (flags: CapacityFlags) => {
      outcome.exitCode = await runCapacity(flags, io);
    });
}

async function runCapacity(flags: CapacityFlags, io: Io): Promise<number> {
  if (flags.from !== undefined && (flags.context !== undefined || flags.kubeconfig !== undefined)) {
    throw new UsageError('--context and --kubeconfig choose the cluster kubectl reads; --from reads a file instead: give one or the other');
  }
  // Where the objects came from, for a problem found in them.
  const source = flags.from === undefined ? undefined : flags.from === '-' ? STDIN_NAME : displayPath(flags.from, io.cwd);
  // platform.yaml first: a mistake in it is told before a slow cluster read.
  const capacityTypes = flags.platform === undefined ? undefined : (await loadPlatform(join(resolve(io.cwd, flags.platform), 'platform.yaml'))).capacity.capacityTypes;
  try {
    const objects = flags.from === undefined ? await readCluster({ context: flags.context, kubeconfig: flags.kubeconfig }) : await readSnapshot(flags.from, { readStdin: io.readStdin });
    const summary = summarizeCapacity(objects);
    io.out(flags.output === 'json' ? formatCapacityJson(summary) : formatCapacityTable(summary, { capacityTypes }));
    return CAPACITY_EXIT.ok;
  } catch (error) {
    if (error instanceof CapacityInputError) {
      reportProblems(error.problems, io);
      return CAPACITY_EXIT.usage;
    }
    if (error instanceof CapacityError) {
      io.err(`kaji: ${source === undefined ? '' : `${printable(source)}: `}${printable(error.message)}\n`);
      return CAPACITY_EXIT.usage;
    }
    throw error;
  }
}
