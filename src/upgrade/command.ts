import { shellWord } from '../kube/index.js';

// The commands kaji upgrade suggests (in its output and in its messages) carry
// the flags the user gave that name the same upgrade and how it runs, so that
// one copied as is works from the folder it was printed in.

/**
 * The flags the user gave (on the command line: a default or $ARGOCD_SERVER is
 * not carried, the shell still has it), named as the CLI names their values;
 * carried into every command suggested next that takes them. The Argo CD token
 * is no flag ($ARGOCD_AUTH_TOKEN) and is never carried. Durations in ms.
 */
export interface UpgradeAddress {
  readonly platform?: string;
  readonly kubectl?: string;
  readonly cdk?: string;
  readonly cdkApp?: string;
  readonly argocdServer?: string;
  readonly oldArgocdServer?: string;
  readonly caFile?: string;
  readonly hostedZoneId?: string;
  readonly route53Endpoint?: string;
  readonly manifests?: string;
  readonly base?: string;
  readonly attempts?: number;
  readonly timeout?: number;
  readonly interval?: number;
  readonly degradedGrace?: number;
}

/** In the order --help lists them. */
const CARRIED = ['platform', 'kubectl', 'cdk', 'cdkApp', 'argocdServer', 'oldArgocdServer', 'caFile', 'hostedZoneId', 'route53Endpoint', 'manifests', 'base', 'attempts', 'timeout', 'interval', 'degradedGrace'] as const;
const DURATIONS: ReadonlySet<keyof UpgradeAddress> = new Set(['timeout', 'interval', 'degradedGrace']);
/** plan and start take these only; status takes the flags of next too, to pass them on. */
const PLANNING: ReadonlySet<keyof UpgradeAddress> = new Set(['platform', 'kubectl', 'cdkApp']);

/**
 * `kaji upgrade <command>` with the address's flags that `command` takes, so that a suggestion copied as is works
 * from the folder it was printed in (a --platform left out would mean the current folder's platform.yaml).
 */
export function upgradeCommand(command: string, address: UpgradeAddress = {}): string {
  const flags: string[] = [];
  for (const key of CARRIED) {
    const value = address[key];
    if (value === undefined || ((command === 'plan' || command === 'start') && !PLANNING.has(key))) continue;
    if (key === 'platform' && value === '.') continue;
    const flag = `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    flags.push(flag, typeof value === 'number' ? (DURATIONS.has(key) ? durationWord(value) : String(value)) : shellWord(value));
  }
  return ['kaji upgrade', command, ...flags].join(' ');
}

/** A duration as --timeout takes it, in the largest unit that is exact: 30m, 90s, 250ms. */
function durationWord(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

