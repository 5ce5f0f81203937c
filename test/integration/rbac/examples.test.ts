// examples/rbac/ against the local control plane: each identity is created from its file, given
// a token and a kubeconfig of its own, and runs the CLI. The allowed run works; anything more
// is refused by the API server and reported (exit status 2, the verb and the object named).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const APP = 'test/fixtures/engine/app';
const EXAMPLES = 'examples/rbac';

interface Identity {
  file: string;
  serviceAccount: string;
}

const IDENTITIES = {
  readonly: { file: 'preview-readonly.yaml', serviceAccount: 'kube-drift-preview' },
  dryRun: { file: 'preview-dry-run.yaml', serviceAccount: 'kube-drift-preview-dry-run' },
  remediate: { file: 'remediate.yaml', serviceAccount: 'kube-drift-remediate' },
  prune: { file: 'remediate-prune.yaml', serviceAccount: 'kube-drift-remediate-prune' },
} satisfies Record<string, Identity>;

/** A kubeconfig for the ServiceAccount: the admin kubeconfig's server and CA, a fresh token. */
async function kubeconfigFor(identity: Identity, dir: string): Promise<string> {
  const admin = parse(readFileSync(kubeconfigPath(), 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
  };
  const { server, 'certificate-authority-data': ca } = admin.clusters[0].cluster;
  const token = (
    await kubectlOk(['-n', 'kube-drift-system', 'create', 'token', identity.serviceAccount, '--duration=1h'])
  ).trim();
  const path = join(dir, `${identity.serviceAccount}.kubeconfig`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: identity.serviceAccount, user: { token } }],
    contexts: [{ name: 'sa', context: { cluster: 'local', user: identity.serviceAccount } }],
    'current-context': 'sa',
  };
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}

function run(command: string, kubeconfig: string, ns: string, path: string, extra: string[] = []) {
  return runCli([command, '--kubeconfig', kubeconfig, '-n', ns, '--target', ns, '--path', path, ...extra]);
}

async function replicas(ns: string, name: string): Promise<string> {
  return kubectlOk(['-n', ns, 'get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}']);
}

describe('examples/rbac identities on the local control plane', { timeout: 300_000 }, () => {
  let ns: TestNamespace;
  let dir: string;
  let repo: string;
  const kubeconfigs: Record<keyof typeof IDENTITIES, string> = {
    readonly: '',
    dryRun: '',
    remediate: '',
    prune: '',
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kube-drift-rbac-'));
    repo = join(dir, 'app');
    cpSync(APP, repo, { recursive: true });
    ns = await withNamespace('rbac');
    for (const [key, identity] of Object.entries(IDENTITIES)) {
      await kubectlOk(['apply', '-f', join(EXAMPLES, identity.file)]);
      kubeconfigs[key as keyof typeof IDENTITIES] = await kubeconfigFor(identity, dir);
    }
    await kubectlOk(['apply', '--server-side', '-n', ns.name, '-f', APP]);
    await kubectlOk(['-n', ns.name, 'scale', 'deployment/web', '--replicas=5']);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ns?.cleanup();
    // Everything but the namespace kube-drift-system, which the read-only test identity shares.
    for (const identity of Object.values(IDENTITIES)) {
      const documents = readFileSync(join(EXAMPLES, identity.file), 'utf8').split(/^---\n/m);
      const input = documents.filter((d) => !/^kind: Namespace$/m.test(d)).join('---\n');
      await kubectl(['delete', '-f', '-', '--ignore-not-found', '--wait=false'], { input });
    }
  });

  it('preview-readonly: client mode diffs; server mode is refused with 403 on patch', async () => {
    const client = await run('diff', kubeconfigs.readonly, ns.name, repo, [
      '--diff-mode',
      'client',
      '-o',
      'json',
    ]);
    assert.equal(client.code, 1, client.stderr);
    const report = JSON.parse(client.stdout);
    assert.deepEqual(report.errors, []);
    const web = report.entries.find(
      (e: { kind: string; name: string }) => e.kind === 'Deployment' && e.name === 'web',
    );
    assert.deepEqual(
      web.changes.map((c: { path: string; before: unknown; after: unknown }) => [c.path, c.before, c.after]),
      [['/spec/replicas', 5, 2]],
    );

    const server = await run('diff', kubeconfigs.readonly, ns.name, repo, ['--diff-mode', 'server']);
    assert.equal(server.code, 2);
    assert.match(
      server.stdout,
      new RegExp(
        `dry-run apply Deployment/${ns.name}/web: deployments.apps "web" is forbidden: User "system:serviceaccount:kube-drift-system:kube-drift-preview" cannot patch resource "deployments" in API group "apps" in the namespace "${ns.name}" \\(HTTP 403\\)`,
      ),
    );
  });

  it('preview-dry-run: server mode diffs; apply is refused by the admission policy and writes nothing', async () => {
    const diff = await run('diff', kubeconfigs.dryRun, ns.name, repo, [
      '--diff-mode',
      'server',
      '-o',
      'json',
    ]);
    assert.equal(diff.code, 1, diff.stderr);
    const report = JSON.parse(diff.stdout);
    assert.deepEqual(report.errors, []);
    assert.equal(report.summary.configured, 1);

    const apply = await run('apply', kubeconfigs.dryRun, ns.name, repo);
    assert.equal(apply.code, 2, apply.stdout + apply.stderr);
    const output = apply.stdout + apply.stderr;
    // The first refusal stops the run: an error for each object refused (those already in
    // flight with it too), one for the stop.
    const refused = new RegExp(
      `error: (\\w+)/${ns.name}/([\\w-]+) in \\S+: (patch|apply) \\1/${ns.name}/\\2: \\S+ "\\2" is forbidden: ValidatingAdmissionPolicy 'kube-drift-preview-dry-run-only' with binding 'kube-drift-preview-dry-run-only' denied request: the kube-drift-preview-dry-run identity may only dry-run \\(see examples/rbac/README.md\\)`,
      'g',
    );
    assert.ok((output.match(refused)?.length ?? 0) >= 1, output);
    assert.match(
      output,
      /remediation of target \S+ stopped: the API server refused (patch|apply) \w+\/\S+ \(HTTP 403\); the objects after it were not tried/,
    );
    assert.equal(await replicas(ns.name, 'web'), '5', 'nothing was applied');
  });

  it('remediate: apply converges; prune is refused with 403 on delete', async () => {
    const apply = await run('apply', kubeconfigs.remediate, ns.name, repo);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal(await replicas(ns.name, 'web'), '2');

    // The ConfigMap leaves Git: prune would delete it; this identity may not.
    const config = join(repo, 'config.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(/^apiVersion: v1\nkind: ConfigMap\n[\s\S]*?---\n/, ''),
    );
    const prune = await run('apply', kubeconfigs.remediate, ns.name, repo, ['--prune']);
    assert.equal(prune.code, 2, prune.stdout + prune.stderr);
    assert.match(
      prune.stdout + prune.stderr,
      new RegExp(
        `delete ConfigMap/${ns.name}/settings: configmaps "settings" is forbidden: User "system:serviceaccount:kube-drift-system:kube-drift-remediate" cannot delete resource "configmaps"`,
      ),
    );
    await kubectlOk(['-n', ns.name, 'get', 'configmap', 'settings']);
  });

  it('remediate-prune: prune deletes what left Git', async () => {
    const prune = await run('apply', kubeconfigs.prune, ns.name, repo, ['--prune']);
    assert.equal(prune.code, 0, prune.stdout + prune.stderr);
    const left = await kubectl(['-n', ns.name, 'get', 'configmap', 'settings']);
    assert.match(left.stderr, /NotFound|not found/);
  });
});
