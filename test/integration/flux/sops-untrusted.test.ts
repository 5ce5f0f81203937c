// Untrusted content and SOPS against the local control plane: on a pull-request run a
// repository's own content must not carry decrypted values, even transformed, into an object
// that is not a Secret (a kustomize replacement, `${VAR:0:4}` from substituteFrom, a chart's
// `| upper` over valuesFrom). The fixture is encrypted by the real sops in the set-up.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectl, kubectlOk, REPO_ROOT } from '../../support/cluster.ts';
import { type SopsKit, sopsKit } from '../../support/sops.ts';

interface JsonEntry {
  kind: string;
  name: string;
  action: string;
  note?: string;
}

interface JsonReport {
  entries: JsonEntry[];
  errors: { message: string }[];
}

const ns = `sops-pr-${randomBytes(4).toString('hex')}`;
let kit: SopsKit;
let repo: string;

/** Every form in which the decrypted values could show: as written, transformed, base64. */
const LEAKS = [
  'xkcdsubstituted-password',
  'xkcd',
  'chart-values-password',
  'CHART-VALUES-PASSWORD',
  'carried-generator-password',
  Buffer.from('carried-generator-password').toString('base64'),
];

function makeRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-sops-untrusted-'));
  cpSync(join(REPO_ROOT, 'test/fixtures/flux/sops-untrusted'), dir, { recursive: true });
  const walk = (path: string): string[] =>
    statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => walk(join(path, name))) : [path];
  for (const file of walk(dir)) writeFileSync(file, readFileSync(file, 'utf8').replaceAll('__NS__', ns));
  for (const file of ['apps/secrets/vars.yaml', 'apps/secrets/values.yaml', 'apps/carry/creds.env']) {
    const path = join(dir, file);
    writeFileSync(
      path,
      kit.encrypt(readFileSync(path), file.split('/').at(-1)!, ['--age', kit.ageRecipient]),
    );
  }
  return dir;
}

async function cli(command: 'diff' | 'apply', path: string, target: string, extra: string[]) {
  const run = await runCli([
    ...[command, '--path', join(repo, path), '--source', 'flux', '--target', target],
    ...['--kubeconfig', kubeconfigPath(), '-o', 'json', '--sops-age-key-file', kit.ageKeyFile, ...extra],
  ]);
  assert.ok(
    run.stdout.startsWith('{'),
    `expected a JSON report, got: ${run.stdout.slice(0, 400)} ${run.stderr}`,
  );
  return { ...run, report: JSON.parse(run.stdout) as JsonReport };
}

const untrusted = ['--trusted', 'false'];
const entry = (report: JsonReport, kind: string, name: string) =>
  report.entries.find((e) => e.kind === kind && e.name === name);

function assertNoLeak(run: { stdout: string; stderr: string }) {
  for (const leak of LEAKS) {
    assert.ok(!run.stdout.includes(leak), `${leak} leaked into the report`);
    assert.ok(!run.stderr.includes(leak), `${leak} leaked into the log`);
  }
}

describe('SOPS plaintext on untrusted runs', { timeout: 300_000 }, () => {
  before(async () => {
    delete process.env.SOPS_AGE_KEY;
    delete process.env.SOPS_AGE_KEY_FILE;
    kit = sopsKit();
    repo = makeRepository();
    const crds = execFileSync(join(REPO_ROOT, 'tools/flux-crds.sh'), { encoding: 'utf8' }).trim();
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
    await kubectl(['create', 'namespace', 'flux-system']);
    const applied = await cli('apply', 'clusters/test', ns, []);
    assert.deepEqual(applied.report.errors, []);
    assert.equal(applied.code, 0, applied.stdout);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    for (const name of ['secrets', 'subst', 'release', 'test-root'])
      await kubectl([
        '-n',
        'flux-system',
        'delete',
        'kustomizations.kustomize.toolkit.fluxcd.io',
        `${ns}-${name}`,
      ]);
    await kubectl(['-n', 'flux-system', 'delete', 'secret', `${ns}-vars`, '--ignore-not-found']);
    if (repo) rmSync(repo, { recursive: true, force: true });
    kit?.cleanup();
  });

  it('a trusted run renders the decrypted values as Flux would, and diffs clean', async () => {
    assert.equal(
      JSON.parse(await kubectlOk(['-n', ns, 'get', 'configmap', 'subst-prefix', '-o', 'json'])).data.prefix,
      'xkcd',
    );
    assert.equal(
      JSON.parse(await kubectlOk(['-n', ns, 'get', 'configmap', 'shout-loud', '-o', 'json'])).data.password,
      'CHART-VALUES-PASSWORD',
    );
    const { code, report } = await cli('diff', 'clusters/test', ns, []);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(
      report.entries.filter((e) => e.action !== 'unchanged').map((e) => `${e.kind}/${e.name}`),
      [],
    );
    assert.equal(code, 0);
  });

  it('substituteFrom a decrypted Secret: ${VAR:0:4} in a ConfigMap is not compared, the rest is', async () => {
    const run = await cli('diff', 'clusters/test', ns, untrusted);
    assert.deepEqual(run.report.errors, []);
    assertNoLeak(run);
    const prefix = entry(run.report, 'ConfigMap', 'subst-prefix')!;
    assert.equal(prefix.action, 'skipped');
    assert.equal(
      prefix.note,
      `uses values decrypted from Secret/flux-system/${ns}-vars: not compared on an untrusted run`,
    );
    // Ordinary objects of the same Kustomization, and the Secret that takes the value whole, are compared.
    assert.equal(entry(run.report, 'ConfigMap', 'subst-plain')?.action, 'unchanged');
    assert.equal(entry(run.report, 'Secret', 'subst-secret')?.action, 'unchanged');
    assert.equal(run.code, 0);
  });

  it('valuesFrom a decrypted Secret: a chart that upper-cases it into a ConfigMap is not compared', async () => {
    const run = await cli('diff', 'clusters/test', ns, untrusted);
    assertNoLeak(run);
    const loud = entry(run.report, 'ConfigMap', 'shout-loud')!;
    assert.equal(loud.action, 'skipped');
    assert.equal(
      loud.note,
      `uses values decrypted from Secret/${ns}/${ns}-values: not compared on an untrusted run`,
    );
    assert.equal(entry(run.report, 'ConfigMap', 'shout-quiet')?.action, 'unchanged');
    assert.equal(entry(run.report, 'Secret', 'shout-secret')?.action, 'unchanged');
  });

  it('a hand edit of a ConfigMap made from decrypted values is not shown on an untrusted run', async () => {
    await kubectlOk(['-n', ns, 'patch', 'configmap', 'shout-loud', '-p', '{"data":{"password":"edited"}}']);
    try {
      const run = await cli('diff', 'clusters/test', ns, untrusted);
      assertNoLeak(run);
      assert.equal(entry(run.report, 'ConfigMap', 'shout-loud')?.action, 'skipped');
      assert.equal(run.code, 0);
      const trusted = await cli('diff', 'clusters/test', ns, []);
      assert.equal(entry(trusted.report, 'ConfigMap', 'shout-loud')?.action, 'configured');
      assert.equal(trusted.code, 1);
    } finally {
      await cli('apply', 'clusters/test', ns, []);
    }
  });

  it('a kustomize replacement from a decrypted secretGenerator into a ConfigMap is an error naming the file', async () => {
    const target = `${ns}-carry`;
    const run = await cli('diff', 'clusters/carry', target, untrusted);
    assertNoLeak(run);
    assert.equal(run.code, 2);
    assert.equal(run.report.errors.length, 1);
    const [error] = run.report.errors;
    assert.ok(error.message.startsWith(`Kustomization flux-system/${ns}-carry: `), error.message);
    assert.ok(
      error.message.endsWith(
        `apps/carry/kustomization.yaml: ConfigMap/${ns}/carry-config is built with data decrypted from the secretGenerator sources of this kustomization; on an untrusted run decrypted data may go only into Secrets. Copy it (replacements, vars, transformers) from a Secret that is not SOPS-encrypted, or render this on a trusted run`,
      ),
      error.message,
    );
    // The same repository on a trusted run builds as Flux does.
    const trusted = await cli('diff', 'clusters/carry', target, []);
    assert.deepEqual(trusted.report.errors, []);
    assert.equal(entry(trusted.report, 'ConfigMap', 'carry-config')?.action, 'created');
  });
});
