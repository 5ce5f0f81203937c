import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { diffObjects } from '../../../src/drift/field-diff.ts';
import { deepEqual, parsePointer, unifiedDiff, yamlDocument } from '../../../src/drift/jsondiff.ts';
import type { FieldChange, KubeObject } from '../../../src/model.ts';

const cases: { name: string; before: unknown; after: unknown; changes: FieldChange[] }[] = [
  { name: 'equal', before: { a: [1, { b: 2 }] }, after: { a: [1, { b: 2 }] }, changes: [] },
  {
    name: 'scalar',
    before: { spec: { replicas: 3 } },
    after: { spec: { replicas: 5 } },
    changes: [{ path: '/spec/replicas', before: 3, after: 5 }],
  },
  {
    name: 'string vs number is a change',
    before: { v: '1' },
    after: { v: 1 },
    changes: [{ path: '/v', before: '1', after: 1 }],
  },
  { name: 'key added', before: {}, after: { a: 1 }, changes: [{ path: '/a', after: 1 }] },
  { name: 'key removed', before: { a: { x: 1 } }, after: {}, changes: [{ path: '/a', before: { x: 1 } }] },
  {
    name: 'escaped keys',
    before: { metadata: { labels: { 'app.kubernetes.io/name': 'a', 'x~y': '1' } } },
    after: { metadata: { labels: { 'app.kubernetes.io/name': 'b', 'x~y': '2' } } },
    changes: [
      { path: '/metadata/labels/app.kubernetes.io~1name', before: 'a', after: 'b' },
      { path: '/metadata/labels/x~0y', before: '1', after: '2' },
    ],
  },
  {
    name: 'array grows',
    before: { env: [{ name: 'A' }] },
    after: { env: [{ name: 'A' }, { name: 'B' }] },
    changes: [{ path: '/env/1', after: { name: 'B' } }],
  },
  {
    name: 'array shrinks',
    before: { args: ['a', 'b', 'c'] },
    after: { args: ['a'] },
    changes: [
      { path: '/args/1', before: 'b' },
      { path: '/args/2', before: 'c' },
    ],
  },
  {
    name: 'equal-length arrays recurse',
    before: { c: [{ image: 'a:1', name: 'm' }] },
    after: { c: [{ image: 'a:2', name: 'm' }] },
    changes: [{ path: '/c/0/image', before: 'a:1', after: 'a:2' }],
  },
  {
    name: 'type change is one change',
    before: { a: { b: 1 } },
    after: { a: [1] },
    changes: [{ path: '/a', before: { b: 1 }, after: [1] }],
  },
  {
    name: 'null vs object',
    before: { a: null },
    after: { a: {} },
    changes: [{ path: '/a', before: null, after: {} }],
  },
];

for (const c of cases) {
  test(`diffObjects: ${c.name}`, () => assert.deepEqual(diffObjects(c.before, c.after), c.changes));
}

test('diffObjects reports in document order: before keys, then new keys', () => {
  const paths = diffObjects({ b: 1, a: 1, c: 1 }, { z: 1, a: 2, b: 2 }).map((c) => c.path);
  assert.deepEqual(paths, ['/b', '/a', '/c', '/z']);
});

test('diffObjects prefixes basePath', () => {
  assert.deepEqual(diffObjects({ a: 1 }, { a: 2 }, '/spec'), [{ path: '/spec/a', before: 1, after: 2 }]);
});

/** Applies reported changes: sets and adds in order, then removals from the highest index down. */
function applyChanges(before: unknown, changes: FieldChange[]): unknown {
  let document = structuredClone(before);
  const removals: string[][] = [];
  for (const change of changes) {
    const tokens = parsePointer(change.path);
    if (!('after' in change)) {
      removals.push(tokens);
      continue;
    }
    if (tokens.length === 0) {
      document = structuredClone(change.after);
      continue;
    }
    let parent = document as Record<string, unknown>;
    for (const token of tokens.slice(0, -1)) parent = parent[token] as Record<string, unknown>;
    Object.defineProperty(parent, tokens.at(-1)!, {
      value: structuredClone(change.after),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  removals.sort((a, b) => Number(b.at(-1)) - Number(a.at(-1)));
  for (const tokens of removals) {
    let parent = document as Record<string, unknown>;
    for (const token of tokens.slice(0, -1)) parent = parent[token] as Record<string, unknown>;
    if (Array.isArray(parent)) parent.splice(Number(tokens.at(-1)), 1);
    else delete parent[tokens.at(-1)!];
  }
  return document;
}

test('property: applying the reported changes to before yields after', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  fc.assert(
    fc.property(json, json, (before, after) => {
      const changes = diffObjects(before, after);
      assert.ok(deepEqual(applyChanges(before, changes), after));
      assert.equal(changes.length === 0, deepEqual(before, after));
    }),
    { numRuns: 500 },
  );
});

test('property: a mutated Kubernetes-like object diffs back exactly', () => {
  const object = fc.record({
    metadata: fc.record({ labels: fc.dictionary(fc.string({ minLength: 1 }), fc.string()) }),
    spec: fc.record({
      replicas: fc.nat(),
      args: fc.array(fc.string()),
      env: fc.array(fc.record({ name: fc.string(), value: fc.string() })),
    }),
  });
  fc.assert(
    fc.property(object, object, (before, after) => {
      assert.ok(deepEqual(applyChanges(before, diffObjects(before, after)), after));
    }),
  );
});

test('deepEqual ignores key order and tells arrays from objects', () => {
  assert.equal(deepEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }), true);
  assert.equal(deepEqual({ 0: 'a' }, ['a']), false);
  assert.equal(deepEqual({ a: undefined }, {}), false);
  assert.equal(deepEqual(null, {}), false);
});

const deployment = (image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 2,
    template: {
      spec: { containers: [{ name: 'main', image, args: ['--listen', ':8080', '--log-format', 'json'] }] },
    },
  },
});

test('unifiedDiff shows live → git YAML with 3 lines of context', () => {
  const diff = unifiedDiff(deployment('web:1'), deployment('web:2'), 'Deployment/shop/web');
  assert.equal(
    diff,
    [
      '--- live/Deployment/shop/web',
      '+++ git/Deployment/shop/web',
      '@@ -9,7 +9,7 @@',
      '     spec:',
      '       containers:',
      '         - name: main',
      '-          image: web:1',
      '+          image: web:2',
      '           args:',
      '             - --listen',
      '             - ":8080"',
      '',
    ].join('\n'),
  );
});

test('unifiedDiff is empty when equal and whole-document when one side is missing', () => {
  assert.equal(unifiedDiff(deployment('a'), deployment('a'), 'x'), '');
  const created = unifiedDiff(null, deployment('a'), 'Deployment/shop/web');
  assert.match(
    created,
    /^--- live\/Deployment\/shop\/web\n\+\+\+ git\/Deployment\/shop\/web\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: apps\/v1\n/,
  );
  assert.doesNotMatch(unifiedDiff(deployment('a'), null, 'x'), /^\+[a-z]/m);
});

test('unifiedDiff does not fold long values nor use YAML anchors', () => {
  const shared = { a: 1 };
  const long = 'x'.repeat(300);
  const diff = unifiedDiff(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { long: 'y' },
      p: shared,
      q: shared,
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { long }, p: shared, q: shared },
    'c',
  );
  assert.ok(diff.includes(`+  long: ${long}\n`));
  assert.doesNotMatch(diff, /[&*]a\d/);
});

test('yamlDocument lays out like yaml stringify, with readable multi-line blocks', () => {
  const document = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'c',
      labels: { 'app.kubernetes.io/name': 'web' },
      annotations: { a: 'true', b: '25%', c: 'x: y', d: '' },
    },
    data: { 'nginx.conf': 'server {\n  listen 80;\n}\n', 'no-newline': 'a\nb', image: 'ghcr.io/x/web:1.2' },
    args: ['--listen', '-v', '-1', '-', '-x y'],
    list: [{ name: 'main', ports: [{ containerPort: 80 }] }, 'plain', 3, null, [], {}, [1]],
    empty: {},
  };
  const text = yamlDocument(document);
  assert.equal(
    text,
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: c',
      '  labels:',
      '    app.kubernetes.io/name: web',
      '  annotations:',
      '    a: "true"',
      '    b: "25%"',
      '    c: "x: y"',
      '    d: ""',
      'data:',
      '  nginx.conf: |',
      '    server {',
      '      listen 80;',
      '    }',
      '  no-newline: |-',
      '    a',
      '    b',
      '  image: ghcr.io/x/web:1.2',
      'args:',
      '  - --listen',
      '  - -v',
      '  - "-1"',
      '  - "-"',
      '  - -x y',
      'list:',
      '  - name: main',
      '    ports:',
      '      - containerPort: 80',
      '  - plain',
      '  - 3',
      '  - null',
      '  - []',
      '  - {}',
      '  -',
      '    - 1',
      'empty: {}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(parseYaml(text), document);
});

test('property: yamlDocument round-trips through a YAML parser (1.2 and 1.1)', () => {
  const key = fc.oneof(
    fc.string(),
    fc.constantFrom('yes', 'on', 'null', '~', '1:20', '0x1F', '.inf', '-', '? a', 'a #b', 'é'),
  );
  const text = fc.oneof(
    fc.string({ unit: 'grapheme-composite' }),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      'a\n',
      'a\n\n',
      ' a\nb',
      'a\n \nb',
      'a\r\nb',
      'Y',
      'No',
      '1e3',
      '012',
      '1_000',
      '- x',
      '|',
      '>',
      '!t',
      '&a',
      '*a',
      '%x',
      '@x',
      '`x',
    ),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    ),
  })).node;
  fc.assert(
    fc.property(value, (document) => {
      const text = yamlDocument(document);
      const expected = JSON.parse(JSON.stringify(document));
      assert.deepEqual(parseYaml(text), expected, text);
      assert.deepEqual(parseYaml(text, { version: '1.1' }), expected, text);
    }),
    { numRuns: 1000 },
  );
});

test('yamlDocument quotes keys and values some YAML 1.1 readers take for floats', () => {
  // Found by the round-trip property: `E0` read back as NaN.
  assert.equal(yamlDocument({ E0: 'e5', '1e3': '.5e-2' }), '"E0": "e5"\n"1e3": ".5e-2"\n');
});
