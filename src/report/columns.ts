// Plain-text tables for the terminal: every column as wide as its widest
// cell, two spaces between columns.

/**
 * The header and each row as a line, columns aligned; `align` has an `l`
 * (text, padded on the right) or `r` (numbers, padded on the left) per column.
 * Trailing spaces are dropped. Cells are shown as given: pass text from the
 * manifests or a cluster through printable() first.
 */
export function alignedColumns(columns: readonly string[], rows: readonly (readonly string[])[], align: string): string[] {
  const widths = columns.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (align[column] === 'r' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [render(columns), ...rows.map(render)];
}
