import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { carefulManifests, fastManifests } from '../../../src/render/manifests.ts';

// The fast parser must give exactly what the careful (reference) parser gives, or step aside.
describe('fast and careful parsers agree', () => {
  it('on plain scalars: numbers, booleans, nulls, octal, dates, times and the rest', () => {
    const scalar = fc.oneof(
      fc.stringMatching(/^[-+]?[0-9_.]{0,6}([eE][-+]?[0-9]{1,3})?$/),
      fc.stringMatching(/^[-+]?0[bxo]?[0-9a-fA-F_]{0,5}$/),
      fc.constantFrom(
        'y',
        'Y',
        'n',
        'NO',
        'on',
        'Off',
        'TRUE',
        'False',
        '~',
        'null',
        'Null',
        '.inf',
        '-.Inf',
        '.NaN',
      ),
      fc.constantFrom(
        '12:30',
        '1:20:30',
        '190:20.5',
        '2024-01-02',
        '2001-12-14t21:59:43.10-05:00',
        '0644',
        '09',
        '1e5',
      ),
      fc.stringMatching(/^[a-z][a-z0-9.:-]{0,8}$/),
    );
    fc.assert(
      fc.property(scalar, (s) => {
        const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nv: ${s}\nl: [${s}]\n`;
        const fast = fastManifests(text, 'f.yaml', {});
        const careful = carefulManifests(text, 'f.yaml', {});
        if (fast === undefined) return true;
        assert.deepEqual(fast, careful, `for ${JSON.stringify(s)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('on every fixture file: objects, lines and groups', () => {
    const root = fileURLToPath(new URL('../../fixtures/render', import.meta.url));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ya?ml|json)$/.test(name) && !path.includes('/templates/')) files.push(path);
      }
    };
    walk(root);
    let fastOnes = 0;
    for (const path of files) {
      const file = relative(root, path);
      const text = readFileSync(path, 'utf8');
      const fast = fastManifests(text, file, { group: 'g', baseLine: 2 });
      if (fast === undefined) continue;
      fastOnes++;
      assert.deepEqual(fast, carefulManifests(text, file, { group: 'g', baseLine: 2 }), file);
    }
    assert.ok(fastOnes >= 10, `only ${fastOnes} fixture files took the fast path`);
  });

  it('steps aside for anchors, tags, duplicate keys, Lists and incomplete objects', () => {
    const texts = [
      'a: &x 1\nb: *x\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: !!str 1}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nmetadata: {name: b}\n',
      'apiVersion: v1\nkind: List\nitems: []\n',
      'kind: ConfigMap\n',
      '%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: !meta {name: a}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: [&k 1, *k]\n',
    ];
    for (const text of texts) assert.equal(fastManifests(text, 'f.yaml', {}), undefined, text);
  });

  it('reads `.` and a sign and dot as strings, as go-yaml does, and numbers with a digit as numbers', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  .: {}\ndata:\n  a: .\n  b: -.\n  c: +.\n  d: 1.\n  e: .5\n  f: [.]\n';
    const expected = { '.': {}, a: '.', b: '-.', c: '+.', d: 1, e: 0.5, f: ['.'] };
    for (const parsed of [fastManifests(text, 'f.yaml', {}), carefulManifests(text, 'f.yaml', {})]) {
      assert.ok(parsed);
      const { metadata, data } = parsed.objects[0].object as unknown as Record<
        string,
        Record<string, unknown>
      >;
      assert.deepEqual({ '.': metadata['.'], ...data }, expected);
    }
  });

  it("takes `!`, `&` and `*` inside strings (a CRD's CEL rules) and agrees", () => {
    const text = [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: widgets.example.com',
      'spec:',
      '  rules:',
      "  - rule: '!has(self.a) || self.b != ''x'''",
      '  - rule: (has(self.c) && !has(self.d)) || (!has(self.c)',
      '      && has(self.d))',
      '  - message: a*b & c',
      '',
    ].join('\n');
    const fast = fastManifests(text, 'crd.yaml', {});
    assert.notEqual(fast, undefined);
    assert.deepEqual(fast, carefulManifests(text, 'crd.yaml', {}));
  });
  it('parses document by document and agrees: separators with comments, empty documents, indented and block-scalar dashes', () => {
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    const texts = [
      `# leading comment\n---\n${cm('a')}--- # second\n${cm('b')}---\n---\n${cm('c')}`,
      `${cm('a')}data:\n  script: |\n    echo one\n    ---\n    echo two\n---\n${cm('b')}`,
      `${cm('a')}data:\n  list: |-\n    ---not a separator\n---\n${cm('b')}...\n`,
      `---\n${cm('a')}---\n`,
      `${cm('a')}---\r\n${cm('b')}`,
    ];
    for (const text of texts) {
      const fast = fastManifests(text, 'f.yaml', { baseLine: 3 });
      assert.notEqual(fast, undefined, text);
      assert.deepEqual(fast, carefulManifests(text, 'f.yaml', { baseLine: 3 }), text);
    }
    // A separator with content on its line is a document of its own text: left to the careful parser or agreed on.
    const inline = `--- ${'{'}apiVersion: v1, kind: ConfigMap, metadata: ${'{'}name: a}}\n--- ${'{'}apiVersion: v1, kind: ConfigMap, metadata: ${'{'}name: b}}\n`;
    const fast = fastManifests(inline, 'f.yaml', {});
    if (fast !== undefined) assert.deepEqual(fast, carefulManifests(inline, 'f.yaml', {}));
  });
});
