// Which YAML a directory walk skips as plainly not Kubernetes, and which stays an error.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isForeignDocument, skippedFilesNotice } from '../../../src/render/foreign.ts';
import { collectManifests, RenderError, type RenderOptions, render } from '../../../src/render/index.ts';

const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: real\n';

// [name, file text, foreign (the walk skips it), problems when not skipped]
const FILES: [string, string, boolean, number][] = [
  ['docker-compose.yml', 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n', true, 1],
  [
    'mkdocs.yml with python tags',
    'site_name: Docs\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n',
    true,
    1,
  ],
  ['package.json', '{"name": "app", "version": "1.0.0", "scripts": {"test": "jest"}}', true, 1],
  ['a top-level sequence (an Ansible playbook)', '- hosts: all\n  tasks: []\n', true, 1],
  ['a scalar document', 'just some text\n', true, 1],
  ['two foreign documents', 'a: 1\n---\nb: 2\n', true, 2],
  ['a manifest', CONFIGMAP, false, 0],
  ['kind but no apiVersion or name', 'kind: Deployment\nspec: {}\n', false, 1],
  ['apiVersion but no kind', 'apiVersion: v1\nmetadata:\n  name: x\n', false, 1],
  ['kind: null still says it is meant as an object', 'kind:\nmetadata:\n  name: x\n', false, 1],
  ['a manifest with a stray foreign document', `${CONFIGMAP}---\nfoo: bar\n`, false, 1],
  ['invalid YAML is never foreign', 'services:\n  web: [\n', false, 1],
  ['empty file', '', false, 0],
  ['only comments', '# nothing here\n', false, 0],
];

describe('classification: plainly not Kubernetes, or a broken manifest', () => {
  for (const [name, text, foreign, problems] of FILES) {
    it(name, () => {
      const parsed = collectManifests(text, 'f.yaml');
      assert.equal(parsed.foreign === true, foreign);
      assert.equal(parsed.problems.length, problems, JSON.stringify(parsed.problems));
    });
  }

  const VALUES: [unknown, boolean][] = [
    [{ services: {} }, true],
    [[1, 2], true],
    ['text', true],
    [42, true],
    [{ kind: 'Pod' }, false],
    [{ apiVersion: 'v1' }, false],
    [{ kind: null }, false],
    [null, false],
    [undefined, false],
  ];
  for (const [value, want] of VALUES) {
    it(`isForeignDocument(${JSON.stringify(value)}) is ${want}`, () => {
      assert.equal(isForeignDocument(value), want);
    });
  }
});

describe('the notice', () => {
  it('names every file up to ten, then says how many more', () => {
    assert.equal(
      skippedFilesNotice(['docker-compose.yml']),
      'skipped 1 YAML/JSON file with no apiVersion and no kind (not Kubernetes manifests): docker-compose.yml. Set strict to make these errors.',
    );
    const files = Array.from({ length: 13 }, (_, i) => `f${String(i).padStart(2, '0')}.yaml`);
    const notice = skippedFilesNotice(files);
    assert.match(notice, /^skipped 13 YAML\/JSON files .*: f00\.yaml, .*, f09\.yaml and 3 more\. Set strict/);
    assert.ok(!notice.includes('f10.yaml'));
  });
});

describe('render() walking a repository', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const opts = (paths: string[], extra: Partial<RenderOptions> = {}): RenderOptions => ({
    repoRoot: root,
    paths,
    source: 'auto',
    helm: { releaseName: 'rel', valuesFiles: [], set: [] },
    confineTo: root,
    ...extra,
  });
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'kube-drift-foreign-'));
    write('docker-compose.yml', 'services:\n  web:\n    image: nginx\n');
    write('mkdocs.yml', 'site_name: Docs\nnav:\n  - index.md\n');
    write('.github/workflows/ci.yml', 'on: push\njobs: {}\n');
    write('.github/ISSUE_TEMPLATE/bug.yml', 'name: Bug\nkind: not-a-kubernetes-kind\n');
    write('deploy/configmap.yaml', CONFIGMAP);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('skips compose and mkdocs files with one call naming them, and never reads .github', async () => {
    const told: string[][] = [];
    const objects = await render(opts(['.'], { onSkippedFiles: (files) => told.push(files) }));
    assert.deepEqual(
      objects.map((d) => `${d.source.file}:${d.source.line} ${d.object.kind}/${d.object.metadata.name}`),
      ['deploy/configmap.yaml:1 ConfigMap/real'],
    );
    assert.deepEqual(told, [['docker-compose.yml', 'mkdocs.yml']]);
  });

  it('strict: each skipped file is an error naming file and line', async () => {
    await assert.rejects(render(opts(['.'], { strict: true })), (error: unknown) => {
      assert.ok(error instanceof RenderError);
      assert.deepEqual(
        error.problems.map((p) => `${p.file}:${p.line}`),
        ['docker-compose.yml:1', 'mkdocs.yml:1'],
      );
      return true;
    });
  });

  it('a file given as a path is meant as a manifest: still an error', async () => {
    const told: string[][] = [];
    await assert.rejects(
      render(opts(['docker-compose.yml'], { onSkippedFiles: (files) => told.push(files) })),
      /docker-compose\.yml:1: document 1 has no apiVersion, kind, metadata\.name/,
    );
    assert.deepEqual(told, []);
  });
});
