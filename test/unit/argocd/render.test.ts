// renderArgo on an app-of-apps repository (a copy of the fixture without its Helm Application):
// each Application's objects in its own group with their files, kustomize options applied, the
// ApplicationSet expanded, nested apps followed, other clusters and unmapped repositories skipped.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isArgoPath } from '../../../src/render/argocd/detect.ts';
import { type ArgoRenderResult, renderArgo } from '../../../src/render/argocd/index.ts';
import { parseRepoMapping } from '../../../src/render/argocd/repos.ts';

const fixture = fileURLToPath(new URL('../../fixtures/argocd/gitops', import.meta.url));

describe('renderArgo', () => {
  let root: string;
  let result: ArgoRenderResult;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'kube-drift-argocd-unit-'));
    cpSync(fixture, join(root, 'gitops'), { recursive: true });
    rmSync(join(root, 'gitops/apps/cache.yaml'));
    writeFileSync(join(root, 'gitops/workloads/web/extra/panel.jsonnet'), '{}');
    // An Application of a repository that is not mapped, and one with a plugin.
    writeFileSync(
      join(root, 'gitops/apps/other.yaml'),
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: other, namespace: argocd}\nspec:\n  source: {repoURL: "https://github.com/example/other.git", path: x}\n  destination: {name: in-cluster}\n',
    );
    result = await renderArgo({
      repoRoot: root,
      paths: ['gitops/apps'],
      repos: parseRepoMapping(['https://github.com/example/gitops.git=gitops'], root),
      namespace: 'apps',
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('detects the path as an Argo CD path, and a plain directory as not one', () => {
    assert.equal(isArgoPath(join(root, 'gitops/apps')), true);
    assert.equal(isArgoPath(join(root, 'gitops/workloads')), false);
  });

  it('renders each Application into its own group, with its files, kustomize options and namespace', () => {
    const rows = result.objects.map((d) => {
      const ns = d.object.metadata.namespace;
      return `${d.group} ${d.object.kind}/${ns ? `${ns}/` : ''}${d.object.metadata.name} ${d.source.file}:${d.source.line}`;
    });
    assert.deepEqual(rows, [
      'gitops/apps Application/addons gitops/apps/addons.yaml:2',
      'gitops/apps Application/argocd/other gitops/apps/other.yaml:1',
      'gitops/apps ApplicationSet/platform gitops/apps/platform.yaml:2',
      'gitops/apps Application/edge gitops/apps/remote.yaml:2',
      'gitops/apps Application/web gitops/apps/web.yaml:2',
      'gitops/apps Application/worker gitops/apps/worker.yaml:2',
      'Application apps/addons Application/metrics gitops/addons/metrics.yaml:1',
      'Application apps/platform-ingress ConfigMap/kd-argo-platform/ingress-config gitops/platform/ingress/config.yaml:1',
      'Application apps/platform-monitoring ConfigMap/kd-argo-platform/monitoring-config gitops/platform/monitoring/config.yaml:1',
      'Application apps/web Deployment/kd-argo-web/web gitops/workloads/web/deployment.yaml:1',
      'Application apps/web ConfigMap/kd-argo-web/web-settings gitops/workloads/web/extra/settings.yaml:1',
      'Application apps/worker ConfigMap/kd-argo-worker/prod-queue-config gitops/workloads/worker/overlays/prod/queue-config.yaml:1',
      'Application apps/worker Deployment/kd-argo-worker/prod-worker gitops/workloads/worker/base/deployment.yaml:1',
      'Application apps/metrics ConfigMap/kd-argo-platform/metrics-config gitops/workloads/metrics/config.yaml:1',
      'Application apps/web Namespace/kd-argo-web gitops/apps/web.yaml:2',
      'Application apps/worker Namespace/kd-argo-worker gitops/apps/worker.yaml:2',
      'Application apps/metrics Namespace/kd-argo-platform gitops/addons/metrics.yaml:1',
    ]);
    const worker = result.objects.find((d) => d.object.metadata.name === 'prod-worker')
      ?.object as unknown as {
      metadata: { labels: Record<string, string> };
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    assert.deepEqual(worker.metadata.labels, { tier: 'batch' });
    assert.equal(worker.spec.template.spec.containers[0].image, 'registry.example.com/worker:2.1.0');
    assert.deepEqual(result.errors, []);
  });

  it('says which Applications it skipped and why', () => {
    assert.deepEqual(result.notes, [
      'Application argocd/other (gitops/apps/other.yaml:1) is not rendered: its repository https://github.com/example/other.git is not this checkout; map it to a directory with argocd-repos (url=dir)',
      'Application apps/edge (gitops/apps/remote.yaml:2) is not rendered: its destination is server https://edge.example.com:6443, not this cluster (name it in argocd-clusters if it is)',
      'Application apps/web: gitops/workloads/web/extra/panel.jsonnet not rendered: kube-drift does not evaluate Jsonnet',
    ]);
    assert.deepEqual(
      result.groups.filter((g) => !g.skipped).map((g) => g.name),
      [
        'Application apps/addons',
        'Application apps/platform-ingress',
        'Application apps/platform-monitoring',
        'Application apps/web',
        'Application apps/worker',
        'Application apps/metrics',
      ],
    );
  });

  it('renders a Helm source with value files, valuesObject, parameters and release name, no release metadata', async () => {
    const helmRoot = mkdtempSync(join(tmpdir(), 'kube-drift-argocd-helm-'));
    try {
      cpSync(fixture, join(helmRoot, 'gitops'), { recursive: true });
      const rendered = await renderArgo({
        repoRoot: helmRoot,
        paths: ['gitops/apps/cache.yaml'],
        repos: parseRepoMapping(['https://github.com/example/gitops.git=gitops'], helmRoot),
        namespace: 'apps',
      });
      assert.deepEqual(rendered.errors, []);
      const sts = rendered.objects.find((d) => d.object.kind === 'StatefulSet');
      assert.equal(sts?.source.file, 'gitops/charts/cache/templates/statefulset.yaml');
      assert.equal(sts?.group, 'Application apps/cache');
      assert.deepEqual(sts?.object.metadata, {
        name: 'cache',
        namespace: 'kd-argo-cache',
        labels: { 'app.kubernetes.io/instance': 'cache' },
      });
      const spec = sts?.object.spec as {
        replicas: number;
        template: { spec: { containers: { image: string; args: string[] }[] } };
      };
      assert.equal(spec.replicas, 2);
      assert.deepEqual(spec.template.spec.containers[0].image, 'registry.example.com/cache:7.4');
      assert.deepEqual(spec.template.spec.containers[0].args, ['--maxmemory', '256mb']);
    } finally {
      rmSync(helmRoot, { recursive: true, force: true });
    }
  });

  it('renders a multi-source Application whose value file comes from another source ($ref)', async () => {
    const multi = mkdtempSync(join(tmpdir(), 'kube-drift-argocd-multi-'));
    try {
      const files: Record<string, string> = {
        'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
        'charts/app/values.yaml': 'image: app:1\n',
        'charts/app/templates/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  image: {{ .Values.image }}\n',
        'values/envs/prod.yaml': 'image: app:2-prod\n',
        'apps/app.yaml': [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata: {name: app, namespace: argocd}',
          'spec:',
          '  sources:',
          '    - {repoURL: "https://git.example.com/charts.git", path: app, helm: {valueFiles: [$values/envs/prod.yaml]}}',
          '    - {repoURL: "https://git.example.com/values.git", ref: values}',
          '  destination: {name: in-cluster, namespace: prod}',
          '',
        ].join('\n'),
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(join(multi, file, '..'), { recursive: true });
        writeFileSync(join(multi, file), text);
      }
      const rendered = await renderArgo({
        repoRoot: multi,
        paths: ['apps'],
        repos: parseRepoMapping(
          ['https://git.example.com/charts.git=charts', 'https://git.example.com/values.git=values'],
          multi,
        ),
      });
      assert.deepEqual(rendered.errors, []);
      const cm = rendered.objects.find((d) => d.object.kind === 'ConfigMap');
      assert.deepEqual(
        [cm?.group, cm?.object.metadata.namespace, (cm?.object as { data?: unknown } | undefined)?.data],
        ['Application argocd/app', 'prod', { image: 'app:2-prod' }],
      );
    } finally {
      rmSync(multi, { recursive: true, force: true });
    }
  });

  it('names a cycle of Applications', async () => {
    const cycle = mkdtempSync(join(tmpdir(), 'kube-drift-argocd-cycle-'));
    try {
      const app = (name: string, path: string) =>
        `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: ${name}, namespace: argocd}\nspec:\n  source: {repoURL: "https://git.example.com/c.git", path: ${path}}\n  destination: {name: in-cluster}\n`;
      for (const [dir, text] of [
        ['root', app('a', 'b')],
        ['b', app('b', 'c')],
        ['c', app('a', 'b')],
      ]) {
        mkdirSync(join(cycle, dir), { recursive: true });
        writeFileSync(join(cycle, dir, 'app.yaml'), text);
      }
      const looped = await renderArgo({
        repoRoot: cycle,
        paths: ['root'],
        repos: parseRepoMapping(['https://git.example.com/c.git=.'], cycle),
      });
      assert.deepEqual(looped.errors, [
        {
          group: 'Application argocd/a',
          message: 'cycle: Application argocd/a → Application argocd/b → Application argocd/a',
        },
      ]);
    } finally {
      rmSync(cycle, { recursive: true, force: true });
    }
  });
});
