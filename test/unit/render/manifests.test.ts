import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectManifests, parseManifests, RenderError } from '../../../src/render/index.ts';

describe('parseManifests', () => {
  const cases: {
    name: string;
    text: string;
    opts?: { baseLine?: number };
    want: [string, string, number][];
  }[] = [
    {
      name: 'multi-document YAML: each object at its first line, empty and null documents skipped',
      text: '# head\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\nnull\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n',
      want: [
        ['ConfigMap', 'a', 3],
        ['Secret', 'b', 10],
      ],
    },
    {
      name: 'a List is expanded, each item at its own line',
      text: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: one}\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: two}\n',
      want: [
        ['ServiceAccount', 'one', 4],
        ['ServiceAccount', 'two', 7],
      ],
    },
    {
      name: 'a typed list kind (ConfigMapList) is expanded too',
      text: '{"apiVersion": "v1", "kind": "ConfigMapList", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}]}',
      want: [['ConfigMap', 'j', 1]],
    },
    {
      name: 'JSON',
      text: '{\n  "apiVersion": "v1",\n  "kind": "Namespace",\n  "metadata": {"name": "n"}\n}\n',
      want: [['Namespace', 'n', 1]],
    },
    {
      name: 'baseLine shifts every line',
      text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n',
      opts: { baseLine: 10 },
      want: [['Namespace', 'ns', 11]],
    },
    { name: 'empty text', text: '', want: [] },
    { name: 'only comments', text: '# nothing here\n', want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const objects = parseManifests(c.text, 'dir/file.yaml', c.opts);
      assert.deepEqual(
        objects.map((d) => [d.object.kind, d.object.metadata.name, d.source.line]),
        c.want,
      );
      for (const d of objects) assert.equal(d.source.file, 'dir/file.yaml');
    });
  }

  it('keeps objects exactly as written: unknown fields kept, no namespace defaulted', () => {
    const [desired] = parseManifests(
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  x-unknown: {deep: [1, "2"]}\n',
      'w.yaml',
    );
    assert.deepEqual(desired.object, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { 'x-unknown': { deep: [1, '2'] } },
    });
  });

  it('reads scalars as kubectl does (YAML 1.1): octal modes, yes/no booleans, merge keys; dates and 12:30 stay strings', () => {
    const [desired] = parseManifests(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: p',
        '  annotations: {date: 2024-01-02, time: 12:30}',
        'base: &base {a: 1}',
        'spec:',
        '  <<: *base',
        '  defaultMode: 0644',
        '  hostNetwork: yes',
        '  quoted: "0644"',
      ].join('\n'),
      'p.yaml',
    );
    assert.deepEqual(desired.object.metadata.annotations, { date: '2024-01-02', time: '12:30' });
    assert.deepEqual(desired.object.spec, { a: 1, defaultMode: 0o644, hostNetwork: true, quoted: '0644' });
  });

  it('collects every problem in the text instead of stopping at the first', () => {
    const { objects, problems } = collectManifests(
      'kind: A\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: B\nmetadata: {}\n',
      'f.yaml',
    );
    assert.deepEqual(
      objects.map((d) => d.object.metadata.name),
      ['ok'],
    );
    assert.deepEqual(problems, [
      { file: 'f.yaml', line: 1, documentIndex: 1, message: 'document 1 has no apiVersion, metadata.name' },
      { file: 'f.yaml', line: 7, documentIndex: 3, message: 'document 3 has no metadata.name' },
    ]);
  });

  it('a name YAML 1.1 reads as a boolean is refused, as kubectl refuses it', () => {
    assert.throws(() => parseManifests('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n', 'n.yaml'), {
      message: 'n.yaml:1: document 1 has metadata.name false, which is not a string: quote it',
    });
  });

  it('a List item without a name is named by document and item', () => {
    assert.throws(
      () =>
        parseManifests('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n', 'l.yaml'),
      (error: unknown) =>
        error instanceof RenderError && error.message === 'l.yaml:4: document 1, item 1 has no metadata.name',
    );
  });
});
