// The bundle loads SOPS's cryptography (openpgp, age-encryption) only when a key is used: that code
// lives in chunk files next to cli-main.js, imported on first use (tools/bundle.mjs). This runs
// the bundle as users do on a Flux repository whose Secrets the real sops encrypted, so a chunk
// that is missing, misnamed or fails to load shows as a failed render here.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubeconfigPath, kubectl, kubectlOk, REPO_ROOT } from '../support/cluster.ts';
import { type SopsKit, sopsKit } from '../support/sops.ts';
import { freshBundle } from './support/bundle.ts';

const NS = 'lazy-chunks';

describe('code loaded on first use', { timeout: 180_000 }, () => {
  let kit: SopsKit;
  let repo: string;
  let pgpKeyFile: string;
  before(async () => {
    // The diff reads Flux Kustomizations, so the server must serve their kind.
    const crds = execFileSync(join(REPO_ROOT, 'tools/flux-crds.sh'), { encoding: 'utf8' }).trim();
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
    await kubectl(['create', 'namespace', 'flux-system']);
    kit = sopsKit();
    pgpKeyFile = join(kit.dir, 'pgp.asc');
    writeFileSync(pgpKeyFile, kit.pgpKey, { mode: 0o600 });
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-lazy-'));
    cpSync(join(REPO_ROOT, 'test/fixtures/flux/sops'), repo, { recursive: true });
    const walk = (path: string): string[] =>
      statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => walk(join(path, name))) : [path];
    for (const file of walk(repo)) writeFileSync(file, readFileSync(file, 'utf8').replaceAll('__NS__', NS));
    const encrypt = (name: string, args: string[]) => {
      const file = join(repo, 'apps/secrets', name);
      writeFileSync(file, kit.encrypt(readFileSync(file), name, args));
    };
    const age = ['--age', kit.ageRecipient];
    const pgp = ['--pgp', kit.pgpFingerprint];
    encrypt('age-whole.yaml', age);
    encrypt('age-partial.yaml', age);
    encrypt('pgp-whole.yaml', pgp);
    encrypt('pgp-partial.yaml', pgp);
    encrypt('app.env', age);
    encrypt('tls.key', [...pgp, '--input-type', 'binary', '--output-type', 'binary']);
    encrypt('settings.yaml', age);
  });
  after(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
    kit?.cleanup();
  });

  it('the CLI bundle holds no OpenPGP code; its chunks do', () => {
    const dir = dirname(freshBundle().cli);
    const chunks = readdirSync(dir).filter((name) => /^chunk-[A-Z0-9]+\.js$/.test(name));
    assert.ok(chunks.length > 0, `no chunk files in ${dir}`);
    const openpgpMarker = 'readPrivateKeys';
    assert.ok(!readFileSync(join(dir, 'cli-main.js'), 'utf8').includes(`function ${openpgpMarker}`));
    assert.ok(
      chunks.some((name) => readFileSync(join(dir, name), 'utf8').includes(`function ${openpgpMarker}`)),
    );
  });

  it('diffs Secrets encrypted for age and PGP through the bundle: decrypted, masked', () => {
    const result = spawnSync(
      process.execPath,
      [
        freshBundle().cli,
        ...['diff', '--path', join(repo, 'clusters/test'), '--source', 'flux', '--target', NS],
        ...['--sops-age-key-file', kit.ageKeyFile, '--sops-pgp-key', pgpKeyFile],
        ...['--kubeconfig', kubeconfigPath(), '-o', 'json'],
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 120_000 },
    );
    assert.ok(
      result.stdout.startsWith('{'),
      `no JSON report: ${result.stdout.slice(0, 300)} ${result.stderr}`,
    );
    const report = JSON.parse(result.stdout) as {
      errors: { message: string }[];
      entries: { kind: string; name: string; action: string; note?: string }[];
    };
    assert.deepEqual(report.errors, []);
    const secrets = report.entries.filter((entry) => entry.kind === 'Secret');
    assert.deepEqual(
      secrets.map((entry) => `${entry.name} ${entry.action}`).sort(),
      ['age-partial', 'age-whole', 'app-env', 'app-files', 'pgp-partial', 'pgp-whole'].map(
        (name) => `${name} created`,
      ),
      result.stdout,
    );
    // A Secret no key opened would be listed with a note saying so.
    assert.deepEqual(
      secrets.filter((entry) => /encrypted|no key/.test(entry.note ?? '')),
      [],
    );
    for (const plain of ['age-whole-password', 'pgp-whole-token', 'pgp-partial-api-key']) {
      assert.ok(!(result.stdout + result.stderr).includes(plain), `${plain} printed`);
    }
  });
});
