// The commands kaji upgrade suggests (in its output and in its messages) carry
// the flags the user gave that name the same upgrade and how it runs, so that
// one copied as is works from the folder it was printed in.

/** The flags that name the same upgrade (and how it runs) as given; carried into every command suggested next. */
export interface UpgradeAddress {
  readonly platform?: string;
  readonly kubectl?: string;
  readonly cdkApp?: string;
}

/**
 * `kaji upgrade <command>` with the address's flags, so that a suggestion copied as is works from the
 * folder it was printed in (a --platform left out would mean the current folder's platform.yaml).
 */
export function upgradeCommand(command: string, address: UpgradeAddress = {}): string {
  const flags: string[] = [];
  if (address.platform !== undefined && address.platform !== '.') flags.push('--platform', shellWord(address.platform));
  if (address.kubectl !== undefined) flags.push('--kubectl', shellWord(address.kubectl));
  if (address.cdkApp !== undefined) flags.push('--cdk-app', shellWord(address.cdkApp));
  return ['kaji upgrade', command, ...flags].join(' ');
}

/** A path as one shell word: as is when it needs no quoting, else in single quotes. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
