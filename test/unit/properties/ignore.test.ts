// Property of applyIgnore beyond test/unit/drift/ignore.test.ts (which checks that nothing is
// left at the ignored paths): nothing outside them is touched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyIgnore } from '../../../src/drift/ignore.ts';
import { escapeToken } from '../../../src/drift/jsondiff.ts';

type Tree = number | string | Tree[] | { [key: string]: Tree };
const key = fc.constantFrom('a', 'b', 'c/d', 'e~f');
const tree: fc.Arbitrary<Tree> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).node as fc.Arbitrary<Tree>;

/** Every leaf (scalars and empty containers) with its pointer. */
function leaves(value: Tree, pointer = ''): Map<string, Tree> {
  const out = new Map<string, Tree>();
  const children: [string, Tree][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : typeof value === 'object'
      ? Object.entries(value)
      : [];
  if (children.length === 0) out.set(pointer, value);
  for (const [k, v] of children)
    for (const [p, leaf] of leaves(v, `${pointer}/${escapeToken(k)}`)) out.set(p, leaf);
  return out;
}

/** The pointer addresses `at` or something above it. */
function covers(pointer: string, at: string): boolean {
  return at === pointer || at.startsWith(`${pointer}/`);
}

test('property: applyIgnore removes every matching path and nothing outside them (maps, wildcards)', () => {
  const path = fc
    .array(fc.constantFrom('a', 'b', 'c~1d', 'e~0f', '*'), { minLength: 1, maxLength: 4 })
    .map((t) => `/${t.join('/')}`);
  // Only maps: array indices shift when an element goes, so "the same leaf" is a map path.
  const mapTree: fc.Arbitrary<Tree> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.integer(),
      fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
    ),
  })).node as fc.Arbitrary<Tree>;
  fc.assert(
    fc.property(mapTree, fc.array(path, { maxLength: 4 }), (document, pointers) => {
      const result = applyIgnore(document, pointers);
      const matches = (at: string) =>
        pointers.some((p) => {
          const want = p.split('/');
          const got = at.split('/');
          if (got.length < want.length) return false;
          return want.every((t, i) => t === '*' || t === got[i]);
        });
      const kept = leaves(result);
      for (const [at, value] of leaves(document)) {
        if (matches(at)) assert.equal(kept.has(at) && at !== '', false, `${at} is ignored`);
        else if (!pointers.some((p) => !p.includes('*') && covers(at, p)))
          assert.deepEqual(kept.get(at), value, at);
      }
    }),
  );
});

test('property: applyIgnore never changes its input and ignores paths that do not exist', () => {
  fc.assert(
    fc.property(tree, (document) => {
      const before = JSON.stringify(document);
      assert.deepEqual(applyIgnore(document, ['/zz/does/not/exist', '/0/zz']), document);
      assert.equal(JSON.stringify(document), before);
    }),
  );
});
