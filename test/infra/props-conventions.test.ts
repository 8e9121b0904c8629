// The construct library's props convention (issue 4, as in aws-cdk-lib):
// every field of an exported interface of kaji/infra is readonly, and every
// optional one documents its default with @default, so a user reading the
// props in an editor knows what leaving a field out means.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const INFRA = fileURLToPath(new URL('../../src/infra', import.meta.url));

/** `file:line Interface.field: problem` for each field of an exported interface that breaks the convention. */
function conventionProblems(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  for (const node of source.statements) {
    if (!ts.isInterfaceDeclaration(node) || !node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member)) continue;
      const where = `${file}:${source.getLineAndCharacterOfPosition(member.getStart(source)).line + 1} ${node.name.text}.${member.name.getText(source)}`;
      if (!member.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ReadonlyKeyword)) problems.push(`${where}: not readonly`);
      if (member.questionToken && !ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'default')) problems.push(`${where}: optional without @default`);
    }
  }
  return problems;
}

describe('kaji/infra props', () => {
  test('every field of an exported interface is readonly, and every optional one has @default', () => {
    const files = readdirSync(INFRA, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
    assert.ok(files.length > 10, `found ${files.length} files under ${INFRA}`);
    const problems = files.flatMap((name) => conventionProblems(relative(process.cwd(), join(INFRA, name)), readFileSync(join(INFRA, name), 'utf8')));
    assert.deepEqual(problems, []);
  });

  test('the check finds a mutable field and an optional one without @default, and leaves unexported interfaces alone', () => {
    const text = [
      'export interface WidgetProps {',
      '  /** The name. */',
      '  name: string;',
      '  /** How many. */',
      '  readonly count?: number;',
      '  /**',
      '   * How big.',
      '   * @default 3',
      '   */',
      '  readonly size?: number;',
      '}',
      'interface Internal { mutable?: string }',
    ].join('\n');
    assert.deepEqual(conventionProblems('widget.ts', text), ['widget.ts:3 WidgetProps.name: not readonly', 'widget.ts:5 WidgetProps.count: optional without @default']);
  });
});
