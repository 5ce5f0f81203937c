// Rendering tools (kubectl kustomize, helm, git) run with a minimal environment: stand-ins on
// PATH record what they are given, then run the real tool. The test process holds the
// action's credentials; none of them may reach a tool. Helm's values files written for a
// Flux HelmRelease live in a private (0700) directory that is gone when the render ends.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderFlux } from '../../../src/render/flux/index.ts';
import { checkoutBase } from '../../../src/render/git-base.ts';
import { findTool } from '../../../src/render/tools.ts';
import { runCli } from '../../support/cli.ts';

const SECRETS: Record<string, string> = {
  INPUT_KUBECONFIG: 'apiVersion: v1\nkind: Config\n# input-kubeconfig-secret',
  GITHUB_TOKEN: 'ghs_github-token-secret',
  ACTIONS_RUNTIME_TOKEN: 'actions-runtime-secret',
  KUBECONFIG: '/tmp/kubeconfig-path-secret',
};
const startDir = process.cwd();
const top = realpathSync(mkdtempSync(join(tmpdir(), 'kube-drift-tool-env-')));
const repo = join(top, 'repo');
const standIns = join(top, 'bin');
const records = join(top, 'records');
const saved = { ...process.env };

function write(path: string, text: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

/** A script named like the tool that records its environment (and the directories of its --values files), then runs the real tool. */
function standIn(name: string, real: string): void {
  const path = join(standIns, name);
  writeFileSync(
    path,
    `#!/bin/sh
env > '${records}/${name}.env'
prev=''
for arg in "$@"; do
  if [ "$prev" = '--values' ]; then
    d=$(dirname "$arg"); stat -c '%a %n' "$d" "$(dirname "$d")" >> '${records}/${name}.values'
  fi
  prev="$arg"
done
exec '${real}' "$@"
`,
  );
  chmodSync(path, 0o755);
}

function recorded(name: string): string {
  const file = join(records, `${name}.env`);
  assert.ok(existsSync(file), `${name} was not run through its stand-in`);
  return readFileSync(file, 'utf8');
}

function assertMinimal(name: string): void {
  const env = recorded(name);
  const names = env.split('\n').map((line) => line.slice(0, line.indexOf('=')));
  for (const secret of Object.keys(SECRETS))
    assert.ok(!names.includes(secret), `${name} was given ${secret}`);
  assert.deepEqual(
    names.filter((n) => /^(INPUT_|ACTIONS_|GITHUB_)/.test(n)),
    [],
    `${name} was given action variables`,
  );
  for (const value of Object.values(SECRETS))
    assert.ok(!env.includes(value.split('\n').at(-1)!), `${name} saw a secret value`);
  assert.ok(
    env.includes(`\nPATH=${process.env.PATH}\n`) || env.startsWith(`PATH=${process.env.PATH}\n`),
    `${name} lost PATH`,
  );
  assert.match(env, new RegExp(`(^|\\n)HOME=${process.env.HOME}\\n`), `${name} lost HOME`);
  assert.match(env, /(^|\n)NO_PROXY=proxy-bypass\.example\n/, `${name} lost NO_PROXY`);
}

before(() => {
  mkdirSync(standIns);
  mkdirSync(records);
  standIn('kubectl', findTool('kubectl'));
  standIn('helm', findTool('helm'));
  standIn('git', execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim());
  delete process.env.KUBE_DRIFT_KUBECTL;
  delete process.env.KUBE_DRIFT_HELM;
  Object.assign(process.env, SECRETS, { NO_PROXY: 'proxy-bypass.example' });
  process.env.PATH = `${standIns}${delimiter}${process.env.PATH}`;

  write('kust/kustomization.yaml', 'configMapGenerator: [{name: x, literals: [a=b]}]\n');
  write('chart/Chart.yaml', 'apiVersion: v2\nname: chart\nversion: 1.0.0\n');
  write(
    'chart/templates/cm.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-chart}\ndata: {color: {{ .Values.color | quote }}}\n',
  );
  write(
    'clusters/dev/sync.yaml',
    `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, url: 'https://example.com/fleet', ref: {branch: main}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: hello, namespace: default}
spec:
  interval: 10m
  chart: {spec: {chart: ./chart, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}}
  values: {color: blue}
`,
  );
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { env: saved });
  execFileSync('git', ['init', '-q', repo], { env: saved });
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
  process.chdir(repo);
});

after(() => {
  process.chdir(startDir);
  process.env = saved;
  rmSync(top, { recursive: true, force: true });
});

describe('rendering tools get a minimal environment', () => {
  it('kubectl kustomize', async () => {
    const run = await runCli(['render', 'kust']);
    assert.equal(run.code, 0, run.stderr);
    assertMinimal('kubectl');
  });

  it('helm template', async () => {
    const run = await runCli(['render', 'chart', '--helm-set', 'color=red']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /color: red/);
    assertMinimal('helm');
  });

  it('git, materializing the base commit of a three-way preview', async () => {
    const base = await checkoutBase(repo, 'HEAD');
    try {
      assert.ok(existsSync(join(base.dir, 'kust/kustomization.yaml')));
    } finally {
      await base.cleanup();
    }
    assertMinimal('git');
    assert.equal(existsSync(base.dir), false);
  });
});

describe('scratch inputs', () => {
  it("a Flux HelmRelease's values file sits in a 0700 directory that is removed when the render ends", async () => {
    rmSync(join(records, 'helm.values'), { force: true });
    const result = await renderFlux({ repoRoot: repo, paths: ['clusters/dev'], offline: true });
    assert.deepEqual(result.errors, []);
    const configMap = result.objects.find((o) => o.object.metadata.name === 'from-chart');
    assert.deepEqual(configMap?.object.data, { color: 'blue' });
    const dirs = readFileSync(join(records, 'helm.values'), 'utf8').trim().split('\n');
    assert.ok(dirs.length >= 2, dirs.join('\n'));
    for (const line of dirs) {
      const [mode, path] = line.split(' ');
      assert.equal(mode, '700', line);
      assert.equal(existsSync(path), false, `${path} is left behind`);
    }
    assertMinimal('helm');
  });
});
