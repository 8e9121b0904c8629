import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safePatch } from '../../src/policy/index.js';

describe('safePatch', () => {
  it('a move whose add fails is undone: the later operations see the document as it was', () => {
    const object = { a: 1, s: 'text' };
    const patch = safePatch(object, [
      { op: 'move', from: '/a', path: '/s/x' }, // /s is a string: the add fails after the removal
      { op: 'test', path: '/a', value: 1 },
      { op: 'replace', path: '/a', value: 2 },
    ]);
    assert.deepEqual(patch, [
      { op: 'test', path: '/a', value: 1 },
      { op: 'replace', path: '/a', value: 2 },
    ]);
    assert.deepEqual(object, { a: 1, s: 'text' }, 'the input is never changed');
  });

  it('creates missing parents with explicit adds, and keeps operations that apply to the patched document', () => {
    const patch = safePatch({ spec: {} }, [
      { op: 'add', path: '/spec/securityContext/runAsNonRoot', value: true },
      { op: 'replace', path: '/spec/securityContext/runAsNonRoot', value: false },
      { op: 'remove', path: '/spec/missing' },
    ]);
    assert.deepEqual(patch, [
      { op: 'add', path: '/spec/securityContext', value: {} },
      { op: 'add', path: '/spec/securityContext/runAsNonRoot', value: true },
      { op: 'replace', path: '/spec/securityContext/runAsNonRoot', value: false },
    ]);
  });
});
