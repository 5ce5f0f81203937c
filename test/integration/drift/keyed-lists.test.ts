// A custom resource whose CRD declares a keyed list (x-kubernetes-list-map-keys), driven through
// every consumer of list semantics against the local control plane: the field diff, attribution
// of an item a person inserted at the top with kubectl, three-way classing, and client mode with
// the read-only identity. The keys come from the server's OpenAPI v3, not from any table.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FieldChange } from '../../../src/model.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectlOk,
  readonlyKubeconfigPath,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';

const SUFFIX = randomBytes(4).toString('hex');
const GROUP = `lists${SUFFIX}.test.kube-drift.dev`;
const CRD_NAME = `routes.${GROUP}`;

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: CRD_NAME },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'routes', singular: 'route', kind: 'Route', listKind: 'RouteList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  backends: {
                    type: 'array',
                    // `host` is no key any built-in table knows: only the schema can say it.
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['host'],
                    items: {
                      type: 'object',
                      required: ['host'],
                      properties: { host: { type: 'string' }, weight: { type: 'integer' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

function routeYaml(weights: Record<string, number>): string {
  const backends = Object.entries(weights)
    .map(([host, weight]) => `    - host: ${host}\n      weight: ${weight}\n`)
    .join('');
  return `apiVersion: ${GROUP}/v1\nkind: Route\nmetadata:\n  name: web\nspec:\n  backends:\n${backends}`;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface JsonReport {
  entries: { kind: string; action: string; diffMode?: string; changes: FieldChange[] }[];
  errors: { message: string }[];
}

describe('a CRD with a keyed list, through diff, attribution, three-way and client mode', {
  timeout: 240_000,
}, () => {
  let ns: TestNamespace;
  let repo: string;
  const startDir = process.cwd();

  const diff = async (kubeconfig: string, ...extra: string[]) =>
    runCli([
      'diff',
      '--kubeconfig',
      kubeconfig,
      '--namespace',
      ns.name,
      '--target',
      ns.name,
      ...extra,
      'deploy',
    ]);
  const route = async (kubeconfig: string, ...extra: string[]) => {
    const run = await diff(kubeconfig, '--output', 'json', ...extra);
    assert.ok(
      run.stdout.startsWith('{'),
      `expected a JSON report, got: ${run.stdout.slice(0, 300)} ${run.stderr}`,
    );
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual(report.errors, []);
    assert.doesNotMatch(run.stderr, /OpenAPI v3 schemas could not be read/);
    const entry = report.entries.find((e) => e.kind === 'Route');
    assert.ok(entry, 'no entry for the Route');
    return { code: run.code, entry, stderr: run.stderr };
  };

  before(async () => {
    const crdFile = join(tmpdir(), `kube-drift-${CRD_NAME}.json`);
    writeFileSync(crdFile, JSON.stringify(CRD));
    await kubectlOk(['apply', '--server-side', '-f', crdFile]);
    rmSync(crdFile);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', `crd/${CRD_NAME}`]);
    // The server publishes a new CRD's OpenAPI a moment after it is established.
    await waitFor(
      async () => (await kubectlOk(['get', '--raw', '/openapi/v3'])).includes(`"apis/${GROUP}/v1"`),
      60_000,
      `the OpenAPI v3 document of ${GROUP}/v1`,
    );
    ns = await withNamespace('lists');

    repo = mkdtempSync(join(tmpdir(), 'kube-drift-lists-'));
    mkdirSync(join(repo, 'deploy'));
    git(repo, 'init', '--quiet', '--initial-branch=main');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'test');
    git(repo, 'config', 'commit.gpgsign', 'false');
    writeFileSync(join(repo, 'deploy/route.yaml'), routeYaml({ 'a.example': 1, 'b.example': 1 }));
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'base');
    // The cluster runs base, applied as kube-drift applies it.
    const apply = await runCli([
      'apply',
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      ns.name,
      '--target',
      ns.name,
      join(repo, 'deploy'),
    ]);
    assert.equal(apply.code, 0, apply.stderr);
    // The PR changes b's weight.
    writeFileSync(join(repo, 'deploy/route.yaml'), routeYaml({ 'a.example': 1, 'b.example': 2 }));
    git(repo, 'commit', '--quiet', '-am', 'head: b weighs 2');
    process.chdir(repo);
    // A person inserts a backend at the top by hand.
    await kubectlOk([
      'patch',
      '-n',
      ns.name,
      `routes.${GROUP}/web`,
      '--type=json',
      '-p',
      '[{"op":"add","path":"/spec/backends/0","value":{"host":"hotfix.example","weight":9}}]',
    ]);
  });
  after(async () => {
    process.chdir(startDir);
    if (repo) rmSync(repo, { recursive: true, force: true });
    await ns?.cleanup();
    await kubectlOk(['delete', 'crd', CRD_NAME, '--wait=false', '--ignore-not-found']);
  });

  const expected = (withClass: boolean): FieldChange[] => [
    {
      path: '/spec/backends/0',
      keyedPath: 'spec.backends[hotfix.example]',
      before: { host: 'hotfix.example', weight: 9 },
      ...(withClass ? { class: 'drift' as const } : {}),
    },
    {
      path: '/spec/backends/2/weight',
      keyedPath: 'spec.backends[b.example].weight',
      before: 1,
      after: 2,
      ...(withClass ? { class: 'pr' as const } : {}),
    },
  ];
  const withoutTimes = (changes: FieldChange[]) =>
    changes.map(({ changedBy, ...rest }) => ({
      ...rest,
      manager: changedBy ? changedBy.manager : changedBy,
    }));

  it('server mode: the inserted item is one change, attributed to kubectl-patch; the PR’s field is by key', async () => {
    process.env.KUBE_DRIFT_STATS = '1';
    // Counted as fetched: the on-disk cache of schemas (openapi-cache.ts) is off.
    process.env.KUBE_DRIFT_CACHE_DIR = 'off';
    const { code, entry, stderr } = await route(kubeconfigPath(), '--three-way', 'off').finally(() => {
      delete process.env.KUBE_DRIFT_STATS;
      delete process.env.KUBE_DRIFT_CACHE_DIR;
    });
    assert.equal(code, 1);
    // The schemas cost the index and one document per group-version in play, here the CRD's.
    const stats = stderr.split('\n').find((line) => line.startsWith('kube-drift stats: '));
    assert.ok(stats, stderr);
    assert.equal(JSON.parse(stats.slice('kube-drift stats: '.length)).byVerb['read OpenAPI schema'], 2);
    assert.equal(entry.diffMode, 'server');
    assert.deepEqual(withoutTimes(entry.changes), [
      { ...expected(false)[0], manager: 'kubectl-patch' },
      { ...expected(false)[1], manager: 'kube-drift' },
    ]);
  });

  it('three-way: the hand-made item is drift, the weight is the PR’s', async () => {
    const { entry } = await route(kubeconfigPath(), '--base', 'HEAD~1');
    assert.deepEqual(
      entry.changes.map(({ changedBy: _, ...rest }) => rest),
      expected(true),
    );
  });

  it('client mode with the read-only identity predicts the same changes', async () => {
    const { code, entry } = await route(
      readonlyKubeconfigPath(),
      '--diff-mode',
      'client',
      '--three-way',
      'off',
    );
    assert.equal(code, 1);
    assert.equal(entry.diffMode, 'client');
    assert.deepEqual(
      withoutTimes(entry.changes).map(({ manager: _, ...rest }) => rest),
      expected(false),
    );
    assert.equal(entry.changes[0].changedBy?.manager, 'kubectl-patch');
  });

  it('the text report names list items by key', async () => {
    const run = await diff(kubeconfigPath(), '--three-way', 'off');
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /\n {4}spec\.backends\[hotfix\.example\]: \{"host":"hotfix\.example","weight":9\} → \(removed\) {2}\(by kubectl-patch, /,
    );
    assert.match(run.stdout, /\n {4}spec\.backends\[b\.example\]\.weight: 1 → 2 {2}\(by kube-drift, /);
  });
});
