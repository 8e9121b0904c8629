// A unified diff of two texts (3 lines of context), as `diff -u` prints it:
// what `kaji fix --dry-run` shows.

type DiffLine = { readonly kind: ' ' | '-' | '+'; readonly text: string };

/** A unified diff (3 lines of context) of two texts, as `diff -u` prints it. */
export function unifiedDiff(name: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const script = diffLines(splitLines(before), splitLines(after));
  const label = name.replace(/^\/+/, '');
  const out = [`--- a/${label}\n`, `+++ b/${label}\n`];
  const changed = script.map((line, index) => (line.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  let cursor = 0;
  while (cursor < changed.length) {
    let last = cursor;
    while (last + 1 < changed.length && (changed[last + 1] as number) - (changed[last] as number) <= 2 * context) last++;
    const start = Math.max(0, (changed[cursor] as number) - context);
    const end = Math.min(script.length, (changed[last] as number) + context + 1);
    const skipped = script.slice(0, start);
    const hunk = script.slice(start, end);
    const oldStart = skipped.filter((line) => line.kind !== '+').length;
    const newStart = skipped.filter((line) => line.kind !== '-').length;
    const oldCount = hunk.filter((line) => line.kind !== '+').length;
    const newCount = hunk.filter((line) => line.kind !== '-').length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`);
    for (const line of hunk) {
      out.push(line.kind + line.text + (line.text.endsWith('\n') ? '' : '\n\\ No newline at end of file\n'));
    }
    cursor = last + 1;
  }
  return out.join('');
}

function range(start: number, count: number): string {
  return count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`;
}

function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Myers' O(ND) line diff: the shortest script of kept, removed and added lines. */
function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const max = a.length + b.length;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= a.length && y >= b.length) {
        found = true;
        break;
      }
    }
  }
  const script: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const previous = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && previous[offset + k - 1]! < previous[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = previous[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      script.push({ kind: ' ', text: a[--x]! });
      y--;
    }
    if (d > 0) {
      if (down) script.push({ kind: '+', text: b[--y]! });
      else script.push({ kind: '-', text: a[--x]! });
    }
  }
  return script.reverse();
}
