// An Argo CD app-of-apps repository against the local control plane, with Argo CD's CRDs from
// its Go module and no Argo CD running: its objects are applied as Argo CD's sync applies them
// (server-side, field manager argocd-controller, the tracking annotation), the Applications'
// status written as the application controller writes it, then diffed through the CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { KubeObject } from '../../../src/model.ts';
import { renderArgo } from '../../../src/render/argocd/index.ts';
import { parseRepoMapping } from '../../../src/render/argocd/repos.ts';
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

const REPO = 'test/fixtures/argocd/gitops';
const APPS = `${REPO}/apps`;
const REPO_URL = 'https://github.com/example/gitops.git';
/** The destination namespaces the fixture's Applications name (CreateNamespace=true creates most). */
const DESTINATIONS = ['kd-argo-web', 'kd-argo-worker', 'kd-argo-cache', 'kd-argo-platform'];

interface JsonEntry {
  kind: string;
  namespace: string | null;
  name: string;
  action: string;
  group?: string;
  note?: string;
  changes: { path: string; before?: unknown; after?: unknown }[];
}
interface JsonReport {
  entries: JsonEntry[];
  errors: { message: string }[];
  notes?: string[];
}

/** `group | Kind/ns/name action [path: before -> after]: note`, sorted. */
function rows(report: JsonReport): string[] {
  return report.entries
    .map((e) => {
      const changes = e.changes.map(
        (c) => ` ${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`,
      );
      const subject = `${e.kind}/${e.namespace ? `${e.namespace}/` : ''}${e.name}`;
      return `${e.group} | ${subject} ${e.action}${changes.join(',')}${e.note ? `: ${e.note}` : ''}`;
    })
    .sort();
}

describe('Argo CD app of apps: rendered without Argo CD, diffed against the cluster', {
  timeout: 300_000,
}, () => {
  let ns: TestNamespace;
  const app = (name: string) => `Application ${ns.name}/${name}`;

  async function run(
    command: 'diff' | 'apply',
    extra: string[] = [],
  ): Promise<{ code: number; report: JsonReport }> {
    const args = [command, '--path', APPS, '--source', 'argocd', '--argocd-repos', `${REPO_URL}=${REPO}`];
    const cli = await runCli([
      ...args,
      '--kubeconfig',
      kubeconfigPath(),
      '-n',
      ns.name,
      '--target',
      ns.name,
      '-o',
      'json',
      ...extra,
    ]);
    assert.ok(
      cli.stdout.startsWith('{'),
      `expected a JSON report, got: ${cli.stdout.slice(0, 400)} ${cli.stderr}`,
    );
    return { code: cli.code, report: JSON.parse(cli.stdout) as JsonReport };
  }

  /** Applies each Application's objects as Argo CD's sync does, and writes what it tracks into its status. */
  async function syncAsArgoCd(extraTracked: Record<string, KubeObject[]> = {}): Promise<void> {
    const rendered = await renderArgo({
      repoRoot: REPO_ROOT,
      paths: [APPS],
      repos: parseRepoMapping([`${REPO_URL}=${REPO}`], REPO_ROOT),
      namespace: ns.name,
    });
    assert.deepEqual(rendered.errors, []);
    const byApp = new Map<string, KubeObject[]>();
    for (const { object, group } of rendered.objects) {
      // The Applications of apps/ belong to a root Application kept outside the repository.
      const owner = group?.startsWith('Application ') ? (group.split('/').at(-1) as string) : 'root';
      const copy = structuredClone(object);
      if (copy.kind !== 'Namespace') copy.metadata.namespace ??= ns.name;
      const g = copy.apiVersion.includes('/') ? copy.apiVersion.split('/')[0] : '';
      const id = `${owner}:${g}/${copy.kind}:${copy.metadata.namespace ?? ''}/${copy.metadata.name}`;
      copy.metadata.annotations = { ...copy.metadata.annotations, 'argocd.argoproj.io/tracking-id': id };
      byApp.set(owner, [...(byApp.get(owner) ?? []), copy]);
    }
    for (const [owner, extra] of Object.entries(extraTracked))
      byApp.set(owner, [...(byApp.get(owner) ?? []), ...extra]);
    const ordered = [...byApp.values()]
      .flat()
      .sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
    for (const object of ordered)
      await kubectlOk(['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], {
        input: stringify(object),
      });
    for (const [owner, objects] of byApp) {
      if (owner === 'root') continue;
      const resources = objects.map((o) => {
        const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
        return {
          group,
          version,
          kind: o.kind,
          namespace: o.metadata.namespace,
          name: o.metadata.name,
          status: 'Synced',
        };
      });
      const status = { status: { sync: { status: 'Synced' }, resources } };
      const exists = await kubectl(['get', '-n', ns.name, `application/${owner}`]);
      if (exists.code !== 0) continue; // generated by the ApplicationSet controller, which does not run here
      await kubectlOk([
        'patch',
        '-n',
        ns.name,
        `application/${owner}`,
        '--type=merge',
        '-p',
        JSON.stringify(status),
        '--field-manager=argocd-application-controller',
      ]);
    }
  }

  before(async () => {
    const crds = execFileSync(join(REPO_ROOT, 'tools/argocd-crds.sh'), { encoding: 'utf8' }).trim();
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    const crdNames = ['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io'];
    const established =
      'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Established")].status} {end}';
    await waitFor(
      async () =>
        (await kubectl(['get', 'crd', ...crdNames, '-o', established])).stdout.trim() === 'True True True',
      60_000,
      "Argo CD's CRDs to be Established",
    );
    await kubectlOk([
      'delete',
      'namespace',
      ...DESTINATIONS,
      '--ignore-not-found',
      '--wait=true',
      '--timeout=120s',
    ]);
    ns = await withNamespace('argocd-apps');
  });
  after(async () => {
    if (!ns) return;
    await kubectl(['delete', 'namespace', ...DESTINATIONS, '--ignore-not-found', '--wait=false']);
    await ns.cleanup();
  });

  it('previews new Applications: their objects and namespaces to create, another cluster skipped', async () => {
    const { code, report } = await run('diff');
    assert.deepEqual(report.errors, []);
    const created = rows(report).filter((r) => !r.includes(' created'));
    assert.deepEqual(created, []);
    assert.equal(code, 1);
    assert.deepEqual(
      report.notes?.filter((n) => n.includes('is not rendered')),
      [
        `${app('edge')} (${APPS}/remote.yaml:2) is not rendered: its destination is server https://edge.example.com:6443, not this cluster (name it in argocd-clusters if it is)`,
      ],
    );
  });

  it('finds no drift right after Argo CD synced, every object in its Application', async () => {
    const legacy = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'web-legacy',
        namespace: 'kd-argo-web',
        annotations: { 'argocd.argoproj.io/tracking-id': 'web:/ConfigMap:kd-argo-web/web-legacy' },
      },
      data: { old: 'value' },
    };
    const kept = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'web-cache',
        namespace: 'kd-argo-web',
        annotations: {
          'argocd.argoproj.io/tracking-id': 'web:/ConfigMap:kd-argo-web/web-cache',
          'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
        },
      },
      data: { warm: 'value' },
    };
    await syncAsArgoCd({ web: [legacy, kept] as KubeObject[] });
    // Tracked by its annotation only (Argo CD's status not yet written since it was applied).
    const orphan = {
      ...legacy,
      metadata: {
        ...legacy.metadata,
        name: 'web-orphan',
        annotations: { 'argocd.argoproj.io/tracking-id': 'web:/ConfigMap:kd-argo-web/web-orphan' },
      },
    };
    await kubectlOk(['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], {
      input: stringify(orphan),
    });
    const { code, report } = await run('diff');
    assert.deepEqual(report.errors, []);
    assert.deepEqual(rows(report), [
      `${app('addons')} | Application/${ns.name}/metrics unchanged`,
      `${app('cache')} | Namespace/kd-argo-cache unchanged`,
      `${app('cache')} | StatefulSet/kd-argo-cache/cache unchanged`,
      `${app('metrics')} | ConfigMap/kd-argo-platform/metrics-config unchanged`,
      `${app('metrics')} | Namespace/kd-argo-platform unchanged`,
      `${app('platform-ingress')} | ConfigMap/kd-argo-platform/ingress-config unchanged`,
      `${app('platform-monitoring')} | ConfigMap/kd-argo-platform/monitoring-config unchanged`,
      `${app('web')} | ConfigMap/kd-argo-web/web-cache skipped: tracked by Argo CD ${app('web')}; Argo CD would not prune it: annotation argocd.argoproj.io/compare-options: IgnoreExtraneous`,
      `${app('web')} | ConfigMap/kd-argo-web/web-legacy deleted: tracked by Argo CD ${app('web')}; Argo CD would prune it`,
      `${app('web')} | ConfigMap/kd-argo-web/web-orphan deleted: tracked by Argo CD ${app('web')}; Argo CD would prune it`,
      `${app('web')} | ConfigMap/kd-argo-web/web-settings unchanged`,
      `${app('web')} | Deployment/kd-argo-web/web unchanged`,
      `${app('web')} | Namespace/kd-argo-web unchanged`,
      `${app('worker')} | ConfigMap/kd-argo-worker/prod-queue-config unchanged`,
      `${app('worker')} | Deployment/kd-argo-worker/prod-worker unchanged`,
      `${app('worker')} | Namespace/kd-argo-worker unchanged`,
      `${APPS} | Application/${ns.name}/addons unchanged`,
      `${APPS} | Application/${ns.name}/cache unchanged`,
      `${APPS} | Application/${ns.name}/edge unchanged`,
      `${APPS} | Application/${ns.name}/web unchanged`,
      `${APPS} | Application/${ns.name}/worker unchanged`,
      `${APPS} | ApplicationSet/${ns.name}/platform unchanged`,
    ]);
    assert.equal(code, 1); // the prune preview is drift
  });
  it('finds hand edits per Application, not the fields ignoreDifferences leaves to the cluster', async () => {
    const patch = (namespace: string, resource: string, body: object) =>
      kubectlOk(['patch', '-n', namespace, resource, '--type=merge', '-p', JSON.stringify(body)]);
    await patch('kd-argo-web', 'configmap/web-settings', { data: { greeting: 'hi', tuning: 'fast' } });
    await kubectlOk([
      'set',
      'image',
      '-n',
      'kd-argo-worker',
      'deployment/prod-worker',
      'worker=registry.example.com/worker:hotfix',
    ]);
    await patch('kd-argo-platform', 'configmap/ingress-config', { data: { class: 'traefik' } });
    // A manager the worker Application's ignoreDifferences names (managedFieldsManagers): not drift.
    await kubectlOk([
      'patch',
      '-n',
      'kd-argo-worker',
      'deployment/prod-worker',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":5}}',
      '--field-manager=batch-autoscaler',
    ]);
    const { code, report } = await run('diff');
    assert.deepEqual(report.errors, []);
    const drifted = rows(report).filter((r) => r.includes(' configured'));
    assert.deepEqual(drifted, [
      `${app('platform-ingress')} | ConfigMap/kd-argo-platform/ingress-config configured /data/class: "traefik" -> "nginx"`,
      `${app('web')} | ConfigMap/kd-argo-web/web-settings configured /data/greeting: "hi" -> "hello"`,
      `${app('worker')} | Deployment/kd-argo-worker/prod-worker configured /spec/template/spec/containers/0/image: "registry.example.com/worker:hotfix" -> "registry.example.com/worker:2.1.0"`,
    ]);
    assert.equal(code, 1);
  });

  it('apply leaves what Argo CD manages to Argo CD: reported, not corrected, not pruned', async () => {
    // The root Application (outside the repository) manages the Applications of apps/: its tracking annotation says so.
    await kubectlOk([
      ...['patch', '-n', ns.name, 'application/web', '--type=merge'],
      ...['-p', JSON.stringify({ spec: { source: { targetRevision: 'hotfix' } } })],
    ]);
    const { report } = await run('apply', ['--prune']);
    const web = report.entries.find((e) => e.kind === 'Application' && e.name === 'web');
    assert.deepEqual(
      [web?.action, web?.note],
      [
        'skipped',
        'not corrected: managed by Argo CD Application root (annotation argocd.argoproj.io/tracking-id; set argocd-remediate: true to let kube-drift apply it)',
      ],
    );
    const byName = (name: string) => report.entries.find((e) => e.name === name);
    assert.equal(byName('prod-worker')?.action, 'skipped');
    assert.equal(
      byName('prod-worker')?.note,
      `not corrected: managed by Argo CD ${app('worker')} (set argocd-remediate: true to let kube-drift apply it)`,
    );
    assert.equal(byName('web-legacy')?.action, 'skipped');
    assert.equal(
      byName('web-legacy')?.note,
      `tracked by Argo CD ${app('web')}; Argo CD would prune it; kube-drift never prunes what Argo CD tracks`,
    );
    const image = await kubectlOk([
      'get',
      '-n',
      'kd-argo-worker',
      'deployment/prod-worker',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    assert.equal(image, 'registry.example.com/worker:hotfix');
    assert.equal((await kubectl(['get', '-n', 'kd-argo-web', 'configmap/web-legacy'])).code, 0);
  });

  it('apply corrects what an Application manages when argocd-remediate says so', async () => {
    const { report } = await run('apply', ['--argocd-remediate']);
    assert.deepEqual(report.errors, []);
    const worker = report.entries.find((e) => e.name === 'prod-worker');
    assert.equal(worker?.action, 'configured', JSON.stringify(worker));
    const image = await kubectlOk([
      ...['get', '-n', 'kd-argo-worker', 'deployment/prod-worker'],
      ...['-o', 'jsonpath={.spec.template.spec.containers[0].image}'],
    ]);
    assert.equal(image, 'registry.example.com/worker:2.1.0');
    // What Argo CD tracks is still Argo CD's to prune.
    assert.equal((await kubectl(['get', '-n', 'kd-argo-web', 'configmap/web-legacy'])).code, 0);
  });
});
