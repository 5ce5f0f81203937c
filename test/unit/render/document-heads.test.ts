import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DocumentHead, documentHeads } from '../../../src/render/document-heads.ts';
import { collectManifests } from '../../../src/render/manifests.ts';

// Heads read from lines must be what parsing the file gives, or step aside.
const parsedHeads = (text: string): DocumentHead[] =>
  collectManifests(text, 'f.yaml').objects.map(({ object, source }) => ({
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
    line: source.line,
  }));

describe('documentHeads', () => {
  // Files the parser refuses (an alias bomb, a syntax error deep in data) are left out: there
  // heads are best effort, as provenance is, and kustomize reports the file.
  it('agrees with the parser on every fixture file that parses and it reads', () => {
    const root = fileURLToPath(new URL('../../fixtures', import.meta.url));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.ya?ml$/.test(name) && !path.includes('/templates/')) files.push(path);
      }
    };
    walk(root);
    let read = 0;
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      const heads = documentHeads(text);
      if (heads === undefined || collectManifests(text, 'f.yaml').problems.length > 0) continue;
      read++;
      assert.deepEqual(heads, parsedHeads(text), relative(root, path));
    }
    assert.ok(read >= 40, `only ${read} fixture files were read from their lines`);
  });

  it('reads quoted names, comments, separators and nested name keys as the parser does', () => {
    const text = [
      '# leading comment',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  labels:',
      '    name: not-this',
      '  name: "app-config" # trailing',
      "  namespace: 'shop'",
      '  annotations:',
      '    note: |',
      '      name: nor-this',
      'data:',
      '  description: |',
      '    kind: Secret',
      'subjects:',
      '- kind: ServiceAccount',
      '  name: not-this-either',
      '--- # second',
      '',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '    name: web',
      '---',
      '# only a comment',
      '',
    ].join('\n');
    const heads = documentHeads(text);
    assert.deepEqual(heads, [
      { kind: 'ConfigMap', name: 'app-config', namespace: 'shop', line: 2 },
      { kind: 'Deployment', name: 'web', namespace: undefined, line: 20 },
    ]);
    assert.deepEqual(heads, parsedHeads(text));
  });

  it('steps aside for flow style, JSON, anchors, tags, Lists, multi-line or non-string names and missing fields', () => {
    const unusual = [
      '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n x\n',
      'apiVersion: v1\nkind: !!str ConfigMap\nmetadata:\n  name: x\n',
      'apiVersion: v1\nkind: ConfigMapList\nitems: []\nmetadata:\n  name: x\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: long\n    name\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 0644\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "esc\\"aped"\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: x\n',
      'kind: ConfigMap\nmetadata:\n  name: x\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n',
      '  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n',
      '- apiVersion: v1\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n- name: x\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n',
      '%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
      '--- apiVersion: v1\n',
      'apiVersion: v1\nkind: ConfigMap\n<<: {metadata: {name: x}}\n',
    ];
    for (const text of unusual) assert.equal(documentHeads(text), undefined, text);
  });
});
