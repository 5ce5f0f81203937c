// A Flux repository with SOPS-encrypted Secrets (age and PGP, whole and partial, and a
// secretGenerator reading encrypted env, binary and YAML files) against the local control
// plane: the real sops encrypts the fixture in the set-up; kube-drift applies it with the keys,
// diffs clean, reports a hand edit masked, and without the keys compares key names only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { NOT_COMPARED_NO_KEY } from '../../../src/model.ts';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectl, kubectlOk, REPO_ROOT } from '../../support/cluster.ts';
import { type SopsKit, sopsKit } from '../../support/sops.ts';

interface JsonEntry {
  kind: string;
  namespace: string | null;
  name: string;
  action: string;
  note?: string;
  changes: { path: string; before?: unknown; after?: unknown }[];
}

interface JsonReport {
  summary: Record<string, number>;
  entries: JsonEntry[];
  errors: { message: string }[];
}

const PLAINTEXTS = [
  'age-whole-password',
  'age-partial-password',
  'pgp-whole-token',
  'pgp-partial-api-key',
  'env-file-password',
  'binary-generator-source',
  'yaml-file-token',
];

const ns = `sops-${randomBytes(4).toString('hex')}`;
let kit: SopsKit;
let repo: string;
let pgpKeyFile: string;
const clusterPath = () => join(repo, 'clusters/test');

/** The fixture with its namespace filled in and its secret files encrypted by the real sops. */
function makeRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-flux-sops-'));
  cpSync(join(REPO_ROOT, 'test/fixtures/flux/sops'), dir, { recursive: true });
  const walk = (path: string): string[] =>
    statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => walk(join(path, name))) : [path];
  for (const file of walk(dir)) writeFileSync(file, readFileSync(file, 'utf8').replaceAll('__NS__', ns));
  const partial = ['--encrypted-regex', '^(data|stringData)$'];
  const age = ['--age', kit.ageRecipient];
  const pgp = ['--pgp', kit.pgpFingerprint];
  const encrypt = (name: string, args: string[]) => {
    const file = join(dir, 'apps/secrets', name);
    writeFileSync(file, kit.encrypt(readFileSync(file), name, args));
  };
  encrypt('age-whole.yaml', age);
  encrypt('age-partial.yaml', [...age, ...partial]);
  encrypt('pgp-whole.yaml', pgp);
  encrypt('pgp-partial.yaml', [...pgp, ...partial]);
  encrypt('app.env', age);
  encrypt('tls.key', [...pgp, '--input-type', 'binary', '--output-type', 'binary']);
  encrypt('settings.yaml', age);
  return dir;
}

const withKeys = () => ['--sops-age-key-file', kit.ageKeyFile, '--sops-pgp-key', pgpKeyFile];

async function cli(command: 'diff' | 'apply', extra: string[], path = clusterPath()) {
  const run = await runCli([
    ...[command, '--path', path, '--source', 'flux', '--target', ns],
    ...['--kubeconfig', kubeconfigPath(), '-o', 'json', ...extra],
  ]);
  assert.ok(
    run.stdout.startsWith('{'),
    `expected a JSON report, got: ${run.stdout.slice(0, 400)} ${run.stderr}`,
  );
  return { code: run.code, stdout: run.stdout, report: JSON.parse(run.stdout) as JsonReport };
}

const secrets = (report: JsonReport) => report.entries.filter((e) => e.kind === 'Secret');
const notUnchanged = (report: JsonReport) =>
  report.entries.filter((e) => e.action !== 'unchanged').map((e) => `${e.kind}/${e.name}: ${e.action}`);

async function liveData(name: string): Promise<Record<string, string>> {
  const secret = JSON.parse(await kubectlOk(['-n', ns, 'get', 'secret', name, '-o', 'json']));
  return Object.fromEntries(
    Object.entries(secret.data as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]),
  );
}

describe('Flux SOPS Secrets against the local control plane', { timeout: 300_000 }, () => {
  before(async () => {
    delete process.env.SOPS_AGE_KEY;
    delete process.env.SOPS_AGE_KEY_FILE;
    kit = sopsKit();
    pgpKeyFile = join(kit.dir, 'pgp.asc');
    writeFileSync(pgpKeyFile, kit.pgpKey, { mode: 0o600 });
    repo = makeRepository();
    const crds = execFileSync(join(REPO_ROOT, 'tools/flux-crds.sh'), { encoding: 'utf8' }).trim();
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
    await kubectl(['create', 'namespace', 'flux-system']);
    const applied = await cli('apply', withKeys());
    assert.deepEqual(applied.report.errors, []);
    assert.equal(applied.code, 0, applied.stdout);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    await kubectl([
      '-n',
      'flux-system',
      'delete',
      'kustomizations.kustomize.toolkit.fluxcd.io',
      ns,
      '--ignore-not-found',
    ]);
    if (repo) rmSync(repo, { recursive: true, force: true });
    kit?.cleanup();
  });

  it('applied the decrypted values: age and PGP, whole and partial, generator env, binary and YAML files', async () => {
    assert.deepEqual(await liveData('age-whole'), { username: 'admin', password: 'age-whole-password' });
    assert.deepEqual(await liveData('age-partial'), {
      password: 'age-partial-password',
      port: '5432',
      enabled: 'yes',
      mode: '0644',
    });
    assert.deepEqual(await liveData('pgp-whole'), { token: 'pgp-whole-token' });
    assert.deepEqual(await liveData('pgp-partial'), { 'api-key': 'pgp-partial-api-key' });
    assert.deepEqual(await liveData('app-env'), { DB_USER: 'app', DB_PASSWORD: 'env-file-password' });
    const files = await liveData('app-files');
    assert.equal(
      files['tls.key'],
      '-----BEGIN TEST KEY-----\nbinary-generator-source\n-----END TEST KEY-----\n',
    );
    assert.deepEqual(parse(files['settings.yaml']), { server: { token: 'yaml-file-token' } });
  });

  it('diffs clean with the keys (age from SOPS_AGE_KEY, PGP from the flag)', async () => {
    process.env.SOPS_AGE_KEY = kit.ageKey;
    try {
      const { code, report, stdout } = await cli('diff', ['--sops-pgp-key', pgpKeyFile]);
      assert.deepEqual(report.errors, []);
      assert.deepEqual(notUnchanged(report), []);
      assert.equal(secrets(report).length, 6);
      assert.ok(secrets(report).every((e) => e.note === undefined));
      assert.equal(code, 0);
      for (const plain of PLAINTEXTS) assert.ok(!stdout.includes(plain), `${plain} leaked into the report`);
    } finally {
      delete process.env.SOPS_AGE_KEY;
    }
  });

  it('reports a hand edit of a Secret masked', async () => {
    await kubectlOk([
      '-n',
      ns,
      'patch',
      'secret',
      'age-partial',
      '-p',
      '{"stringData":{"password":"edited-by-hand"}}',
    ]);
    try {
      const { code, report, stdout } = await cli('diff', withKeys());
      assert.deepEqual(notUnchanged(report), ['Secret/age-partial: configured']);
      const edited = secrets(report).find((e) => e.name === 'age-partial')!;
      assert.deepEqual(
        edited.changes.map(({ path, before, after }) => ({ path, before, after })),
        [{ path: '/data/password', before: '*** (before)', after: '*** (after)' }],
      );
      assert.equal(code, 1);
      for (const plain of [...PLAINTEXTS, 'edited-by-hand'])
        assert.ok(!stdout.includes(plain), `${plain} leaked`);
    } finally {
      await cli('apply', withKeys());
    }
    assert.equal((await liveData('age-partial')).password, 'age-partial-password');
  });

  it('without the keys compares metadata and key names only: "not compared", exit 0, nothing applied', async () => {
    await kubectlOk([
      '-n',
      ns,
      'patch',
      'secret',
      'age-partial',
      '-p',
      '{"stringData":{"password":"hand-edited-value"}}',
    ]);
    try {
      const { code, report, stdout } = await cli('diff', []);
      assert.deepEqual(report.errors, []);
      assert.deepEqual(
        secrets(report)
          .filter((e) => e.action === 'unchanged')
          .map((e) => `${e.name}: ${e.note}`)
          .sort(),
        ['age-partial', 'app-env', 'app-files', 'pgp-partial'].map(
          (name) => `${name}: ${NOT_COMPARED_NO_KEY}`,
        ),
      );
      // Encrypted whole, kind and name too: which Secret it is cannot be known, so none is deleted.
      for (const name of ['age-whole', 'pgp-whole']) {
        const whole = secrets(report).find((e) => e.name === name)!;
        assert.equal(whole.action, 'skipped');
        assert.match(
          whole.note!,
          /^not compared: encrypted, no key: it may be the Secret encrypted whole in .*apps\/secrets\/age-whole\.yaml, .*apps\/secrets\/pgp-whole\.yaml$/,
        );
      }
      assert.equal(report.entries.filter((e) => !['unchanged', 'skipped'].includes(e.action)).length, 0);
      assert.equal(code, 0);
      assert.ok(!stdout.includes('hand-edited-value'), 'the live value is not shown');

      // A key added by hand is still seen: key names are compared.
      await kubectlOk([
        '-n',
        ns,
        'patch',
        'secret',
        'pgp-partial',
        '-p',
        '{"stringData":{"extra":"by-hand"}}',
      ]);
      const extra = await cli('diff', []);
      assert.deepEqual(
        notUnchanged(extra.report).filter((line) => !line.includes('skipped')),
        ['Secret/pgp-partial: configured'],
      );
      const added = secrets(extra.report).find((e) => e.name === 'pgp-partial')!;
      assert.deepEqual(
        added.changes.map((c) => [c.path, c.before, c.after]),
        [['/data/extra', '*** (before)', undefined]],
      );
      assert.equal(added.note, NOT_COMPARED_NO_KEY);
      assert.equal(extra.code, 1);

      // apply without the keys never writes stand-ins for values, nor deletes what it cannot identify.
      const apply = await cli('apply', ['--prune']);
      const skipped = secrets(apply.report).find((e) => e.name === 'pgp-partial')!;
      assert.equal(skipped.action, 'skipped');
      assert.equal(skipped.note, `${NOT_COMPARED_NO_KEY}; not applied`);
      assert.equal((await liveData('age-partial')).password, 'hand-edited-value');
      assert.equal((await liveData('pgp-partial')).extra, 'by-hand');
      assert.equal((await liveData('age-whole')).password, 'age-whole-password');
    } finally {
      await kubectl([
        ...['-n', ns, 'patch', 'secret', 'pgp-partial', '--type=json'],
        ...['-p', '[{"op":"remove","path":"/data/extra"}]'],
      ]);
      await cli('apply', withKeys());
    }
    assert.equal((await liveData('age-partial')).password, 'age-partial-password');
  });

  it('refuses a file changed without sops, naming it, with exit status 2', async () => {
    const file = join(repo, 'apps/secrets/age-partial.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('app: db', 'app: web'));
    try {
      const { code, report } = await cli('diff', withKeys());
      assert.equal(code, 2);
      assert.equal(report.errors.length, 1);
      assert.match(report.errors[0].message, /apps\/secrets\/age-partial\.yaml: MAC mismatch/);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('refuses encrypted Secrets in a Kustomization without decryption, as Flux does', async () => {
    const file = join(repo, 'clusters/test/secrets.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('  decryption:\n    provider: sops\n', ''));
    try {
      const { code, report } = await cli('diff', withKeys());
      assert.equal(code, 2);
      assert.deepEqual(
        report.errors.map((e) => e.message),
        [
          `Kustomization flux-system/${ns}: Secret/${ns}/age-partial is SOPS encrypted, but Kustomization flux-system/${ns} has no spec.decryption (provider: sops); Flux requires it to reconcile this Secret`,
        ],
      );
    } finally {
      writeFileSync(file, original);
    }
  });
});
