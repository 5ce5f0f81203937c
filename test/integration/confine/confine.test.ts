// Rendering stays inside the repository: `kube-drift render` of a pull request's manifests
// that reach outside (../, /etc/hosts, /proc/self/environ, a symlink, a Helm chart's symlink,
// a Flux Kustomization's path) fails naming the file and the path, and the canary the outside
// holds is nowhere in what the CLI prints. Real kubectl kustomize and helm.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTool } from '../../../src/render/tools.ts';
import { runCli } from '../../support/cli.ts';

const CANARY = `canary-${randomBytes(8).toString('hex')}`;
const startDir = process.cwd();
// <top>/outside.txt and <top>/outside-dir hold the canary; <top>/repo is the Git checkout.
const top = realpathSync(mkdtempSync(join(tmpdir(), 'kube-drift-confine-')));
const repo = join(top, 'repo');

function write(path: string, text: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

const configMap = (name: string, data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: ${data}\n`;

function fluxCluster(name: string, kustomizationPath: string): string {
  return `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, url: 'https://example.com/fleet', ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, path: ./clusters/${name}, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {interval: 10m, path: '${kustomizationPath}', prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
`;
}

before(() => {
  writeFileSync(join(top, 'outside.txt'), `${CANARY}\n`);
  mkdirSync(join(top, 'outside-dir'));
  writeFileSync(
    join(top, 'outside-dir/kustomization.yaml'),
    `configMapGenerator: [{name: stolen, literals: [value=${CANARY}]}]\n`,
  );
  mkdirSync(repo);
  execFileSync('git', ['init', '-q', repo]);

  write('parent/kustomization.yaml', 'configMapGenerator: [{name: x, files: [../../outside.txt]}]\n');
  write('hosts/kustomization.yaml', 'configMapGenerator: [{name: x, files: [/etc/hosts]}]\n');
  write('environ/kustomization.yaml', 'configMapGenerator: [{name: x, files: [env=/proc/self/environ]}]\n');
  write('link/kustomization.yaml', 'configMapGenerator: [{name: x, files: [notes.txt]}]\n');
  symlinkSync('../../outside.txt', join(repo, 'link/notes.txt'));
  write('chart/Chart.yaml', 'apiVersion: v2\nname: chart\nversion: 1.0.0\n');
  writeFileSync(join(top, 'outside-template.yaml'), configMap('stolen', CANARY));
  mkdirSync(join(repo, 'chart/templates'));
  symlinkSync('../../../outside-template.yaml', join(repo, 'chart/templates/cm.yaml'));
  const climb = `${'../'.repeat(40)}${top.slice(1)}/outside-dir`;
  write('clusters/escape/sync.yaml', fluxCluster('escape', climb));
  // Flux rewrites the kustomization file of spec.path: a symlink out would be read and written through.
  write('clusters/linked/sync.yaml', fluxCluster('linked', './apps/linked'));
  mkdirSync(join(repo, 'apps/linked'), { recursive: true });
  symlinkSync('../../../outside-dir/kustomization.yaml', join(repo, 'apps/linked/kustomization.yaml'));

  // A HelmRelease whose chart (a path in the GitRepository) climbs out to a chart on the runner.
  mkdirSync(join(top, 'outside-chart/templates'), { recursive: true });
  writeFileSync(join(top, 'outside-chart/Chart.yaml'), 'apiVersion: v2\nname: outside\nversion: 1.0.0\n');
  writeFileSync(join(top, 'outside-chart/templates/cm.yaml'), configMap('stolen', CANARY));
  write(
    'clusters/release/sync.yaml',
    `${fluxCluster('release', './clusters/release')}---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: hello, namespace: default}
spec:
  interval: 10m
  chart:
    spec:
      chart: '${'../'.repeat(40)}${top.slice(1)}/outside-chart'
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
`,
  );

  // Inside the repository, ../ stays legal.
  write('shared-base/kustomization.yaml', 'resources: [cm.yaml]\n');
  write('shared-base/cm.yaml', configMap('shared', 'from-shared-base'));
  write('shared-base/app.env', 'MODE=shared\n');
  write(
    'overlay/kustomization.yaml',
    'resources: [../shared-base]\nconfigMapGenerator: [{name: app, envs: [../shared-base/app.env]}]\n',
  );
  process.env.KUBE_DRIFT_CONFINE_CANARY = CANARY; // What /proc/self/environ would show.
  process.chdir(repo);
});

after(() => {
  process.chdir(startDir);
  rmSync(top, { recursive: true, force: true });
});

interface Case {
  name: string;
  path: string;
  /** Each must appear in stderr: the file and the offending path. */
  names: string[];
  helm?: boolean;
}

const cases: Case[] = [
  {
    name: 'a kustomization reading ../ outside the root',
    path: 'parent',
    names: [
      "parent/kustomization.yaml: configMapGenerator[0].files '../../outside.txt' is outside the repository",
    ],
  },
  {
    name: 'a kustomization reading /etc/hosts',
    path: 'hosts',
    names: ["hosts/kustomization.yaml: configMapGenerator[0].files '/etc/hosts' is outside the repository"],
  },
  {
    name: 'a kustomization reading /proc/self/environ',
    path: 'environ',
    names: [
      "environ/kustomization.yaml: configMapGenerator[0].files '/proc/self/environ' is outside the repository",
    ],
  },
  {
    name: 'a symlink in the repository pointing outside',
    path: 'link',
    names: [
      `link/kustomization.yaml: configMapGenerator[0].files 'notes.txt' resolves through a symlink to ${top}/outside.txt, outside the repository`,
    ],
  },
  {
    name: 'a Helm chart with a symlink pointing outside',
    path: 'chart',
    names: [
      `chart/Chart.yaml: symlink 'chart/templates/cm.yaml' resolves through a symlink to ${top}/outside-template.yaml, outside the repository`,
    ],
    helm: true,
  },
  {
    name: 'a Flux Kustomization whose path climbs out of the repository',
    path: 'clusters/escape',
    names: ['error: Kustomization flux-system/apps: spec.path', 'is outside the repository'],
  },
  {
    name: 'a Flux HelmRelease whose chart path climbs out of the repository',
    path: 'clusters/release',
    names: [
      "error: HelmRelease default/hello: ../outside-chart/Chart.yaml: directory '../outside-chart' is outside the repository",
    ],
    helm: true,
  },
  {
    name: "a Flux Kustomization whose path's kustomization file is a symlink out",
    path: 'clusters/linked',
    names: [
      `error: Kustomization flux-system/apps: kustomization file 'kustomization.yaml' resolves through a symlink to ${top}/outside-dir/kustomization.yaml, outside the repository`,
    ],
  },
];

describe('kube-drift render refuses what lies outside the repository', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      // A missing helm fails the chart case (findTool says how to get it); it never skips.
      if (tc.helm) findTool('helm');
      const run = await runCli(['render', tc.path]);
      assert.equal(run.code, 2, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
      for (const name of tc.names) assert.ok(run.stderr.includes(name), `"${name}" not in: ${run.stderr}`);
      for (const [stream, text] of Object.entries(run))
        assert.ok(!String(text).includes(CANARY), `the canary is in ${stream}`);
      assert.equal(run.stdout.includes('stolen'), false);
    });
  }

  it('../shared-base inside the repository still renders', async () => {
    const run = await runCli(['render', 'overlay']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /name: shared\n/);
    assert.match(run.stdout, /MODE: shared\n/);
  });
});
