import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { splitStreamPieces } from '../../src/kube/index.js';

describe('splitStreamPieces', () => {
  test('cuts at each --- line, every byte kept: the pieces joined are the text, each with its first line', () => {
    const text = '\uFEFF# lead\nkind: A\n---\nkind: B # b\n\n--- # c\nkind: C\n---\n# comments only\n---   \nkind: D';
    const pieces = splitStreamPieces(text);
    assert.equal(pieces.map((piece) => piece.text).join(''), text);
    assert.deepEqual(
      pieces.map((piece) => [piece.startLine, piece.text]),
      [
        [1, '\uFEFF# lead\nkind: A\n'],
        [3, '---\nkind: B # b\n\n'],
        [6, '--- # c\nkind: C\n'],
        [8, '---\n# comments only\n'],
        [10, '---   \nkind: D'],
      ],
    );
  });

  test('Windows line endings: a ---\\r line starts a piece too', () => {
    const text = 'kind: A\r\n---\r\nkind: B\r\n';
    assert.deepEqual(
      splitStreamPieces(text).map((piece) => piece.text),
      ['kind: A\r\n', '---\r\nkind: B\r\n'],
    );
  });

  test('the directives after a ... go with the document they govern, so each piece parses alone as in the stream', () => {
    const text = 'kind: A\n...\n# next\n%YAML 1.2\n---\nyes: no\n---\n|\n  %not a directive\n---\nkind: C\n';
    const pieces = splitStreamPieces(text);
    assert.equal(pieces.map((piece) => piece.text).join(''), text);
    assert.deepEqual(
      pieces.map((piece) => piece.startLine),
      [1, 3, 7, 10],
    );
    // Read under its %YAML 1.2 directive, as in the stream: `yes` is a string there, not YAML 1.1's true.
    assert.deepEqual(parseAllDocuments(pieces[1]!.text, { version: '1.1' }).map((doc) => (doc as { toJS(): unknown }).toJS()), [{ yes: 'no' }]);
  });
});
