// Adopting objects another tool applied before, against the real control plane: a real
// `helm install` (Helm 3: client-side, manager `helm`), a server-side apply as Helm 4 does it
// (manager `helm`), and a CI script's own manager. Git drops a key; kube-drift must report it,
// attributed to that manager, and apply must remove it, or name the manager in a note.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { FieldChange } from '../../../src/model.ts';
import { findTool } from '../../../src/render/index.ts';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';

const FIXTURES = 'test/fixtures/adoption';

interface JsonEntry {
  kind: string;
  name: string;
  action: string;
  changes: FieldChange[];
  note?: string;
}

interface JsonReport {
  entries: JsonEntry[];
  errors: { message: string }[];
}

async function run(
  command: 'diff' | 'apply',
  ns: string,
  paths: string[],
  extra: string[] = [],
): Promise<{ code: number; report: JsonReport; stdout: string }> {
  const args = [command, '--kubeconfig', kubeconfigPath(), '-n', ns, '--target', ns, ...extra];
  for (const p of paths) args.push('--path', p);
  const cli = await runCli([...args, '-o', 'json']);
  assert.ok(cli.stdout.startsWith('{'), `expected a JSON report, got: ${cli.stdout} ${cli.stderr}`);
  return { code: cli.code, report: JSON.parse(cli.stdout), stdout: cli.stdout };
}

function entry(report: JsonReport, kind: string, name: string): JsonEntry {
  const found = report.entries.find((e) => e.kind === kind && e.name === name);
  assert.ok(found, `no ${kind}/${name} in ${report.entries.map((e) => `${e.kind}/${e.name}`).join(', ')}`);
  return found;
}

function changeLines(e: JsonEntry): string[] {
  return e.changes.map(
    (c) =>
      `${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)} by ${c.changedBy?.manager} ${c.changedBy?.operation}`,
  );
}

async function data(ns: string, name: string): Promise<Record<string, string>> {
  return JSON.parse(await kubectlOk(['-n', ns, 'get', 'configmap', name, '-o', 'jsonpath={.data}']));
}

describe('adopting what Helm or a CI script applied before', { timeout: 240_000 }, () => {
  let ns: TestNamespace;
  const chart = `${FIXTURES}/chart`;
  const git = `${FIXTURES}/git`;
  const gitArgs = ['--helm-set', 'legacy=false'];

  before(async () => {
    ns = await withNamespace('adopt');
    execFileSync(
      findTool('helm'),
      ['install', 'release', chart, '-n', ns.name, '--kubeconfig', kubeconfigPath()],
      {
        encoding: 'utf8',
      },
    );
    const [helm4, ci] = ['from-helm4', 'from-ci'];
    for (const [manager, file] of [
      ['helm', 'helm4'],
      ['ci-script', 'ci'],
    ]) {
      const path = `${FIXTURES}/before/${file}.yaml`;
      await kubectlOk(['apply', '--server-side', `--field-manager=${manager}`, '-n', ns.name, '-f', path]);
    }
    await kubectlOk(['create', '-n', ns.name, '-f', `${FIXTURES}/before/created.yaml`]);
    assert.equal((await data(ns.name, helm4)).legacy, 'yes');
    assert.equal((await data(ns.name, ci)).legacy, 'yes');
  });
  after(async () => ns?.cleanup());

  it('reports fields helm owns and Git dropped as drift, attributed to helm; helm install leaves nothing else', async () => {
    const { code, report } = await run('diff', ns.name, [git, chart], gitArgs);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(changeLines(entry(report, 'ConfigMap', 'release-config')), [
      '/data/legacy: "yes" -> undefined by helm Update',
    ]);
    assert.deepEqual(changeLines(entry(report, 'ConfigMap', 'from-helm4')), [
      '/data/legacy: "yes" -> undefined by helm Apply',
    ]);
    // kubectl create records the whole object too, without last-applied-configuration.
    assert.deepEqual(changeLines(entry(report, 'ConfigMap', 'from-create')), [
      '/data/legacy: "yes" -> undefined by kubectl-create Update',
    ]);
    // helm install owns every field of the Deployment it created, server defaults included;
    // those are not drift, and neither is Helm's release metadata.
    const web = entry(report, 'Deployment', 'release-web');
    assert.equal(web.action, 'unchanged', JSON.stringify(web));
    assert.equal(code, 1);
  });

  it('names a manager outside takeover-managers in a note, once per object, and reports it once listed', async () => {
    const { report } = await run('diff', ns.name, [git, chart], gitArgs);
    const ci = entry(report, 'ConfigMap', 'from-ci');
    assert.equal(ci.action, 'unchanged');
    assert.equal(
      ci.note,
      'fields set by ci-script that Git does not set are not compared; add it to takeover-managers to take them over',
    );
    const listed = await run(
      'diff',
      ns.name,
      [git, chart],
      [...gitArgs, '--takeover-managers', 'kubectl*,before-first-apply,helm,ci-script'],
    );
    const adopted = entry(listed.report, 'ConfigMap', 'from-ci');
    assert.deepEqual(changeLines(adopted), ['/data/legacy: "yes" -> undefined by ci-script Apply']);
    assert.equal(adopted.note, undefined);
  });

  it('apply takes the fields over and removes them; the diff after is clean and helm can still upgrade', async () => {
    const managers = ['--takeover-managers', 'kubectl*,before-first-apply,helm,ci-script'];
    const applied = await run('apply', ns.name, [git, chart], [...gitArgs, ...managers]);
    assert.deepEqual(applied.report.errors, []);
    for (const name of ['release-config', 'from-helm4', 'from-ci', 'from-create'])
      assert.deepEqual(await data(ns.name, name), { mode: 'fast' }, name);
    const after = await run('diff', ns.name, [git, chart], [...gitArgs, ...managers]);
    assert.deepEqual(
      after.report.entries.filter((e) => e.action !== 'unchanged').map((e) => `${e.kind}/${e.name}`),
      [],
    );
    assert.equal(after.code, 0);
    // kube-drift kept Helm's release metadata, so the release is still Helm's to upgrade.
    execFileSync(
      findTool('helm'),
      ['upgrade', 'release', chart, '-n', ns.name, '--set', 'legacy=false', '--kubeconfig', kubeconfigPath()],
      { encoding: 'utf8' },
    );
  });
});
