// SOPS keys from the Secret a Flux Kustomization names in `decryption.secretRef`, read from the
// local control plane as kustomize-controller reads it (opt-in with sops-keys-from-cluster):
// no key on the command line and the diff is clean; off, untrusted, missing or forbidden,
// the Secret's values are "not compared" and the run says why.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { NOT_COMPARED_NO_KEY } from '../../../src/model.ts';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectl, kubectlOk, REPO_ROOT } from '../../support/cluster.ts';
import { type SopsKit, sopsKit } from '../../support/sops.ts';

interface JsonReport {
  entries: { kind: string; name: string; action: string; note?: string }[];
  errors: { message: string }[];
}

const ns = `sops-keys-${randomBytes(4).toString('hex')}`;
const keySecret = `${ns}-sops-age`;
let kit: SopsKit;
let repo: string;

async function cli(command: 'diff' | 'apply', extra: string[], kubeconfig = kubeconfigPath()) {
  const run = await runCli([
    ...[command, '--path', join(repo, 'clusters/test'), '--source', 'flux', '--target', ns],
    ...['--kubeconfig', kubeconfig, '-o', 'json', ...extra],
  ]);
  assert.ok(
    run.stdout.startsWith('{'),
    `expected a JSON report, got: ${run.stdout.slice(0, 400)} ${run.stderr}`,
  );
  assert.ok(!`${run.stdout}${run.stderr}`.includes('AGE-SECRET-KEY'), 'key material was printed');
  assert.ok(!`${run.stdout}${run.stderr}`.includes('cluster-keyed-token'), 'a decrypted value was printed');
  return { ...run, report: JSON.parse(run.stdout) as JsonReport };
}

const token = (report: JsonReport) => report.entries.find((e) => e.kind === 'Secret' && e.name === 'token');

async function createKeySecret() {
  await kubectlOk([
    ...['-n', 'flux-system', 'create', 'secret', 'generic', keySecret],
    `--from-file=identity.agekey=${kit.ageKeyFile}`,
  ]);
}

/** A kubeconfig of a ServiceAccount that may read what the diff reads, but get no Secret outside the test's namespace. */
async function kubeconfigWithoutFluxSecrets(): Promise<string> {
  const account = `${ns}-reader`;
  const rbac = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: account },
      rules: [
        { apiGroups: [''], resources: ['namespaces', 'configmaps'], verbs: ['get', 'list', 'watch'] },
        // The plan lists what the target owns cluster-wide; reading one Secret takes get.
        { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
        {
          apiGroups: ['kustomize.toolkit.fluxcd.io', 'coordination.k8s.io'],
          resources: ['*'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: account },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: account },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace: ns }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: account, namespace: ns },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: account, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace: ns }],
    },
  ];
  const file = join(kit.dir, 'rbac.yaml');
  writeFileSync(file, rbac.map((doc) => stringify(doc)).join('---\n'));
  await kubectlOk(['apply', '-f', file]);
  const saToken = (await kubectlOk(['-n', ns, 'create', 'token', account])).trim();
  const config = parse(readFileSync(kubeconfigPath(), 'utf8'));
  config.users = config.users.map((user: { name: string }) => ({
    name: user.name,
    user: { token: saToken },
  }));
  const path = join(kit.dir, 'kubeconfig-reader');
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

describe('SOPS keys from decryption.secretRef', { timeout: 300_000 }, () => {
  before(async () => {
    delete process.env.SOPS_AGE_KEY;
    delete process.env.SOPS_AGE_KEY_FILE;
    kit = sopsKit();
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-sops-keys-'));
    cpSync(join(REPO_ROOT, 'test/fixtures/flux/sops-cluster-keys'), repo, { recursive: true });
    const walk = (path: string): string[] =>
      statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => walk(join(path, name))) : [path];
    for (const file of walk(repo)) writeFileSync(file, readFileSync(file, 'utf8').replaceAll('__NS__', ns));
    const secretFile = join(repo, 'apps/secrets/token.yaml');
    const partial = ['--age', kit.ageRecipient, '--encrypted-regex', '^(data|stringData)$'];
    writeFileSync(secretFile, kit.encrypt(readFileSync(secretFile), 'token.yaml', partial));
    await kubectl(['create', 'namespace', 'flux-system']);
    await createKeySecret();
    const applied = await cli('apply', ['--sops-age-key-file', kit.ageKeyFile]);
    assert.deepEqual(applied.report.errors, []);
    assert.equal(applied.code, 0, applied.stdout);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    await kubectl(['-n', 'flux-system', 'delete', 'secret', keySecret, '--ignore-not-found']);
    for (const name of [ns, `${ns}-root`])
      await kubectl(['-n', 'flux-system', 'delete', 'kustomizations.kustomize.toolkit.fluxcd.io', name]);
    await kubectl(['delete', 'clusterrole,clusterrolebinding', `${ns}-reader`, '--ignore-not-found']);
    if (repo) rmSync(repo, { recursive: true, force: true });
    kit?.cleanup();
  });

  it('with sops-keys-from-cluster and no key given, decrypts with the Secret and diffs clean', async () => {
    const { code, report } = await cli('diff', ['--sops-keys-from-cluster']);
    assert.deepEqual(report.errors, []);
    assert.equal(token(report)?.action, 'unchanged');
    assert.equal(token(report)?.note, undefined);
    assert.deepEqual(
      report.entries.filter((e) => e.action !== 'unchanged').map((e) => `${e.kind}/${e.name}`),
      [],
    );
    assert.equal(code, 0);
  });

  it('without the setting, the Secret is not compared', async () => {
    const { code, report } = await cli('diff', []);
    assert.equal(token(report)?.note, NOT_COMPARED_NO_KEY);
    assert.equal(code, 0);
  });

  it('on an untrusted run the setting is ignored, with one warning', async () => {
    const { code, report, stderr } = await cli('diff', ['--sops-keys-from-cluster', '--trusted', 'false']);
    assert.equal(token(report)?.note, NOT_COMPARED_NO_KEY);
    assert.equal(stderr.match(/sops-keys-from-cluster is ignored on an untrusted run/g)?.length, 1, stderr);
    assert.equal(code, 0);
  });

  it('a key Secret the credentials may not read is a warning naming it, then no key', async () => {
    const kubeconfig = await kubeconfigWithoutFluxSecrets();
    const { code, report, stderr } = await cli(
      'diff',
      ['--sops-keys-from-cluster', '--diff-mode', 'client'],
      kubeconfig,
    );
    assert.deepEqual(report.errors, []);
    assert.equal(token(report)?.note, NOT_COMPARED_NO_KEY);
    assert.match(
      stderr,
      new RegExp(
        `warning: Secret/flux-system/${keySecret}, named by Kustomization flux-system/${ns} spec.decryption.secretRef, cannot be read \\(.* is forbidden: .*\\): its Secrets are decrypted without its keys`,
      ),
    );
    assert.equal(code, 0);
  });

  it('a key Secret that does not exist is a warning naming it, then no key', async () => {
    await kubectlOk(['-n', 'flux-system', 'delete', 'secret', keySecret]);
    try {
      const { code, report, stderr } = await cli('diff', ['--sops-keys-from-cluster']);
      assert.equal(token(report)?.note, NOT_COMPARED_NO_KEY);
      assert.match(
        stderr,
        new RegExp(
          `warning: Secret/flux-system/${keySecret}, named by Kustomization flux-system/${ns} spec.decryption.secretRef, does not exist: its Secrets are decrypted without its keys`,
        ),
      );
      assert.equal(code, 0);
    } finally {
      await createKeySecret();
    }
  });
});
