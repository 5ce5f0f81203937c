// Argo CD's own objects against the local control plane, with the CRDs of the Argo CD release
// installed from its Go module: an AppProject applied by hand and Applications applied as an
// app of apps' sync applies them are in sync (what Argo CD adds beyond Git is no drift), and a
// hand edit is reported as exactly the fields it changed, by whoever changed them.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FieldChange, KubeObject } from '../../../src/model.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';

const APPS = 'test/fixtures/argocd/apps';

interface JsonEntry {
  kind: string;
  name: string;
  action: string;
  note?: string;
  changes: FieldChange[];
}

const APPLICATIONS = ['payments-api', 'payments-worker'];
const ARGO_CD_CRDS = ['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io'];

/** `name Established-status` of each of Argo CD's CRDs. */
async function established(): Promise<string[]> {
  const condition = '{.status.conditions[?(@.type=="Established")].status}';
  const jsonpath = `jsonpath={range .items[*]}{.metadata.name} ${condition}{"\\n"}{end}`;
  const names = await kubectlOk(['get', 'crd', ...ARGO_CD_CRDS, '-o', jsonpath]);
  return names.trim().split('\n');
}

/**
 * Applies an Application of APPS as an app-of-apps parent's sync does, then writes the status
 * Argo CD's application controller writes: Application has no status subresource, so its
 * status lives in the object itself, under the controller's own field manager.
 */
async function syncAsChild(ns: string, file: string, name: string, mode: string[]): Promise<void> {
  const trackingId = `payments-apps:argoproj.io/Application:${ns}/${name}`;
  const application = readFileSync(join(APPS, file), 'utf8').replace(
    '  labels:\n',
    `  annotations:\n    argocd.argoproj.io/tracking-id: ${trackingId}\n  labels:\n`,
  );
  assert.ok(application.includes(trackingId));
  await kubectlOk(['apply', ...mode, '--field-manager=argocd-controller', '-n', ns, '-f', '-'], {
    input: application,
  });
  const status = { status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } } };
  const patch = ['patch', '-n', ns, `application/${name}`, '--type=merge', '-p', JSON.stringify(status)];
  await kubectlOk([...patch, '--field-manager=argocd-application-controller']);
}

/** `Kind/name action [path: before -> after by manager]` for each entry, sorted. */
function summary(entries: JsonEntry[]): string[] {
  return entries
    .map((e) => {
      const changes = e.changes.map(
        (c) =>
          ` ${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)} by ${c.changedBy?.manager}`,
      );
      return `${e.kind}/${e.name} ${e.action}${changes.join(',')}${e.note ? `: ${e.note}` : ''}`;
    })
    .sort();
}

describe("Argo CD's CRDs from its Go module, and its objects diffed exactly", { timeout: 180_000 }, () => {
  let ns: TestNamespace;

  async function diff(): Promise<{ code: number; entries: JsonEntry[] }> {
    // A target of its own: the default target's inventory belongs to whichever test applied it.
    const args = ['diff', '--path', APPS, '--kubeconfig', kubeconfigPath(), '-n', ns.name];
    const cli = await runCli([...args, '--target', ns.name, '-o', 'json']);
    assert.ok(cli.stdout.startsWith('{'), `expected a JSON report, got: ${cli.stdout} ${cli.stderr}`);
    const report = JSON.parse(cli.stdout) as { entries: JsonEntry[]; errors: { message: string }[] };
    assert.deepEqual(report.errors, []);
    return { code: cli.code, entries: report.entries };
  }

  before(async () => {
    const crds = execFileSync(join(REPO_ROOT, 'tools/argocd-crds.sh'), { encoding: 'utf8' }).trim();
    // Server-side: the ApplicationSet CRD is too big for kubectl's last-applied annotation.
    // Applying the same CRDs again (another test did, or runs now) changes nothing.
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    // Polled rather than kubectl wait, which fails on a CRD created so recently it has no status.
    await waitFor(
      async () => (await established()).every((line) => line.endsWith(' True')),
      60_000,
      "Argo CD's CRDs to be Established",
    );
    ns = await withNamespace('argocd');
    // Argo CD's declarative setup: an admin applies the project with a plain kubectl apply.
    await kubectlOk(['apply', '-n', ns.name, '-f', join(APPS, 'appproject.yaml')]);
    // Children of an app of apps, each applied as the parent's sync applies it: the default
    // sync is kubectl's client-side apply, ServerSideApply=true a server-side apply, both under
    // Argo CD's field manager and with the annotation that tracks the child to the parent.
    await syncAsChild(ns.name, 'api-application.yaml', 'payments-api', ['--server-side']);
    await syncAsChild(ns.name, 'worker-application.yaml', 'payments-worker', []);
  });
  after(async () => {
    if (!ns) return;
    // No Argo CD runs here to honour the resources finalizer; without this the namespace hangs.
    for (const app of APPLICATIONS) {
      const unfinalized = '{"metadata":{"finalizers":null}}';
      await kubectl(['patch', '-n', ns.name, `application/${app}`, '--type=merge', '-p', unfinalized]);
    }
    await ns.cleanup();
  });

  it('installs the CRDs of Argo CD v3.6.1 from its Go module, established', async () => {
    const crds = execFileSync(join(REPO_ROOT, 'tools/argocd-crds.sh'), { encoding: 'utf8' }).trim();
    assert.match(crds, /argocd-crds\/v3\.6\.1$/);
    // The module's manifests/crds holds a kustomization.yaml too, which is no object to apply.
    assert.deepEqual(readdirSync(crds).sort(), [
      '.complete',
      'application-crd.yaml',
      'applicationset-crd.yaml',
      'appproject-crd.yaml',
    ]);
    const names = await established();
    assert.deepEqual(names, [
      'applications.argoproj.io True',
      'applicationsets.argoproj.io True',
      'appprojects.argoproj.io True',
    ]);
  });

  it('fails naming the module when the Go module proxy cannot serve it', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'kube-drift-argocd-crds-'));
    try {
      const env = { ...process.env, GOPROXY: 'off', GOMODCACHE: join(scratch, 'modcache') };
      const run = spawnSync(join(REPO_ROOT, 'tools/argocd-crds.sh'), [join(scratch, 'out')], {
        encoding: 'utf8',
        env,
      });
      assert.equal(run.status, 1);
      assert.match(
        run.stderr,
        /^argocd-crds: could not download github\.com\/argoproj\/argo-cd\/v3@v3\.6\.1: .*GOPROXY=off/,
      );
      assert.equal(run.stdout, '');
      assert.equal(existsSync(join(scratch, 'out', '.complete')), false);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('reports Applications synced either way and an AppProject in sync right after they are applied', async () => {
    // What the live objects hold beyond Git, none of it drift: the tracking annotation, the
    // controller's status, kubectl's last-applied annotation, and each writer's managed fields.
    const beyondGit = async (resource: string): Promise<string[]> => {
      const get = ['get', '-n', ns.name, resource, '-o', 'json', '--show-managed-fields'];
      const live = JSON.parse(await kubectlOk(get)) as KubeObject & {
        metadata: { managedFields: { manager: string; operation: string }[] };
        status?: { sync?: { status?: string } };
      };
      const annotations = Object.keys(live.metadata.annotations ?? {}).sort();
      const writers = live.metadata.managedFields.map((f) => `${f.manager} ${f.operation}`).sort();
      return [...annotations, ...writers, `status ${live.status?.sync?.status}`];
    };
    assert.deepEqual(await beyondGit('application/payments-api'), [
      'argocd.argoproj.io/tracking-id',
      'argocd-application-controller Update',
      'argocd-controller Apply',
      'status Synced',
    ]);
    assert.deepEqual(await beyondGit('application/payments-worker'), [
      'argocd.argoproj.io/tracking-id',
      'kubectl.kubernetes.io/last-applied-configuration',
      'argocd-application-controller Update',
      'argocd-controller Update',
      'status Synced',
    ]);
    assert.deepEqual(await beyondGit('appproject/payments'), [
      'kubectl.kubernetes.io/last-applied-configuration',
      'kubectl-client-side-apply Update',
      'status undefined',
    ]);

    const { code, entries } = await diff();
    assert.deepEqual(summary(entries), [
      'AppProject/payments unchanged',
      'Application/payments-api unchanged',
      'Application/payments-worker unchanged',
    ]);
    assert.equal(code, 0);
  });

  it('reports a hand edit of the Application as exactly the fields changed, by the editor', async () => {
    await kubectlOk([
      'patch',
      '-n',
      ns.name,
      'application/payments-api',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { source: { targetRevision: 'hotfix-42' } } }),
    ]);
    const first = await diff();
    assert.deepEqual(summary(first.entries), [
      'AppProject/payments unchanged',
      'Application/payments-api configured /spec/source/targetRevision: "hotfix-42" -> "v1.4.2" by kubectl-patch',
      'Application/payments-worker unchanged',
    ]);
    assert.equal(first.code, 1);
    // Inside helm.valuesObject, which the schema leaves free-form, the path is as exact.
    const tag = { spec: { source: { helm: { valuesObject: { image: { tag: '1.4.3-debug' } } } } } };
    await kubectlOk([
      'patch',
      '-n',
      ns.name,
      'application/payments-api',
      '--type=merge',
      '-p',
      JSON.stringify(tag),
    ]);
    const second = await diff();
    assert.deepEqual(summary(second.entries), [
      'AppProject/payments unchanged',
      'Application/payments-api configured' +
        ' /spec/source/helm/valuesObject/image/tag: "1.4.3-debug" -> "1.4.2" by kubectl-patch,' +
        ' /spec/source/targetRevision: "hotfix-42" -> "v1.4.2" by kubectl-patch',
      'Application/payments-worker unchanged',
    ]);
  });
});
