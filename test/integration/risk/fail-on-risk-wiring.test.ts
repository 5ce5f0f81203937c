// fail-on-risk through the CLI against the local control plane: the verdict is judged and
// stated in every output (JSON riskVerdict, text, Markdown), drift keeps its own exit status,
// and `none` adds nothing. Manifests here are plain ConfigMaps with no consumers, which no rule
// of the review flags: the outputs are those of a review that found nothing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';

const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  mode: ${value}\n`;

describe('fail-on-risk through the CLI', { timeout: 180_000 }, () => {
  let ns: TestNamespace;
  let repo: string;
  const startDir = process.cwd();

  const diff = (...flags: string[]) =>
    runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      ns.name,
      '--target',
      ns.name,
      ...flags,
      'deploy',
    ]);

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-risk-verdict-'));
    mkdirSync(join(repo, 'deploy'));
    writeFileSync(join(repo, 'deploy', 'settings.yaml'), configMap('settings', 'git'));
    process.chdir(repo);
    ns = await withNamespace('riskverdict');
  });
  after(async () => {
    process.chdir(startDir);
    if (repo) rmSync(repo, { recursive: true, force: true });
    await ns?.cleanup();
  });

  it('missing object: exit 1 for the drift, the verdict passed and said in JSON, text and Markdown', async () => {
    const json = await diff('--fail-on-risk', 'warning', '--output', 'json');
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.risks, []);
    assert.deepEqual(report.riskVerdict, { failOn: 'warning', failing: 0, failed: false });
    assert.equal(json.stderr.includes('risk review failed'), false, json.stderr);

    const text = await diff('--fail-on-risk', 'warning');
    assert.equal(text.code, 1, text.stderr);
    assert.equal(
      text.stdout.split('\n')[2],
      'risk review passed: no risk finding at or above warning (fail-on-risk: warning)',
    );

    const markdown = await diff('--fail-on-risk', 'danger', '--output', 'markdown');
    assert.match(
      markdown.stdout,
      /^\*\*✅ Risk review passed: no risk finding at or above danger \(fail-on-risk: danger\)\*\*$/m,
    );
  });

  it('in sync: exit 0 with fail-on-risk warning; none leaves the verdict out', async () => {
    await kubectlOk([
      'apply',
      '--server-side',
      '--field-manager',
      'test',
      '-n',
      ns.name,
      '-f',
      join(repo, 'deploy', 'settings.yaml'),
    ]);
    const judged = await diff('--fail-on-risk', 'warning', '--output', 'json');
    assert.equal(judged.code, 0, judged.stderr);
    assert.equal(JSON.parse(judged.stdout).riskVerdict.failed, false);
    const none = await diff('--output', 'json');
    assert.equal(none.code, 0, none.stderr);
    const report = JSON.parse(none.stdout);
    assert.equal('riskVerdict' in report, false);
    assert.deepEqual(report.risks, []);
  });

  it('refuses a severity it does not know, naming the flag', async () => {
    const run = await diff('--fail-on-risk', 'critical');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /fail-on-risk/);
    assert.match(run.stderr, /critical/);
  });
});
