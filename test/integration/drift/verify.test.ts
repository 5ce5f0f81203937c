// Soundness of the in-sync proof on the real control plane: the same repository diffed with
// --verify all (a dry-run for every object) and --verify auto (no dry-run where the proof holds)
// must give the same report, object by object and field by field: objects applied by kubectl
// and helm, then adopted by kube-drift apply, then edited by hand in every way the engine tests
// use; and each way the proof fails falls back to the dry-run and still reports correctly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTool } from '../../../src/render/index.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';
import { applyWithKubeDrift, bothModes, clientAgrees, drifted, forgetTarget } from '../../support/verify.ts';

/** A repository of the engine fixtures and the verify corpus, each in a directory of its own. */
function writeRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'kube-drift-verify-'));
  const fixtures = join(REPO_ROOT, 'test/fixtures');
  cpSync(join(fixtures, 'engine/app'), join(root, 'app'), { recursive: true });
  cpSync(join(fixtures, 'engine/overlay'), join(root, 'overlay'), { recursive: true });
  cpSync(join(fixtures, 'engine/chart'), join(root, 'chart'), { recursive: true });
  cpSync(join(fixtures, 'engine/crd/resource.yaml'), join(root, 'cr/resource.yaml'));
  cpSync(join(fixtures, 'verify/workloads.yaml'), join(root, 'workloads/workloads.yaml'));
  return root;
}

const PATHS = ['app', 'overlay', 'chart', 'cr', 'workloads'];

/** Applies the repository as its users would: kubectl apply --server-side, kustomize, helm install. */
async function applyAsUsersDo(repo: string, ns: string): Promise<void> {
  const n = ['-n', ns];
  for (const dir of ['app', 'cr', 'workloads'])
    await kubectlOk(['apply', '--server-side', ...n, '-f', join(repo, dir)]);
  await kubectlOk(['apply', '--server-side', ...n, '-k', join(repo, 'overlay')]);
  execFileSync(
    findTool('helm'),
    ['install', 'release', join(repo, 'chart'), '-n', ns, '--kubeconfig', kubeconfigPath()],
    {
      encoding: 'utf8',
    },
  );
}

/** Every kind of hand edit the engine tests make, and a few more (resources, tolerations, pause, RBAC, CR). */
async function editByHand(ns: string): Promise<void> {
  const n = ['-n', ns];
  const patch = (what: string, type: string, body: string) =>
    kubectlOk([...n, 'patch', what, '--type', type, '-p', body]);
  await kubectlOk([...n, 'scale', 'deployment/web', '--replicas=5']);
  await kubectlOk([...n, 'label', 'deployment/web', 'hotfix=true']);
  await kubectlOk([...n, 'label', 'deployment/web', 'tier-']);
  await kubectlOk([...n, 'annotate', 'deployment/web', 'note=edited by hand', '--overwrite']);
  await kubectlOk([...n, 'set', 'image', 'deployment/api', 'api=ghcr.io/example/api:1.0.1']);
  await kubectlOk([...n, 'set', 'env', 'deployment/api', 'MODE=debug', 'EXTRA=1']);
  await kubectlOk([...n, 'set', 'resources', 'deployment/probe', '-c', 'app', '--limits=cpu=2,memory=256Mi']);
  await patch(
    'deployment/worker',
    'json',
    '[{"op":"add","path":"/spec/template/spec/tolerations","value":[{"key":"spot","operator":"Exists"}]}]',
  );
  await kubectlOk([...n, 'rollout', 'pause', 'deployment/prod-cache']);
  await patch('service/web', 'json', '[{"op":"replace","path":"/spec/ports/0/port","value":8080}]');
  await patch('configmap/settings', 'json', '[{"op":"remove","path":"/data/COLOR"}]');
  await patch('secret/credentials', 'merge', '{"stringData":{"password":"edited-by-hand"}}');
  await patch('role/reader', 'json', '[{"op":"add","path":"/rules/0/verbs/-","value":"watch"}]');
  await patch('services.drift.kube-drift.dev/checkout', 'merge', '{"spec":{"owner":"ops"}}');
  await kubectlOk([...n, 'delete', 'rolebinding/reader']);
}

describe('verify auto against verify all', { timeout: 600_000 }, () => {
  let byKubectl: TestNamespace;
  let byDrift: TestNamespace;
  let repo: string;

  before(async () => {
    // The custom resource's CRD is shared with the engine test; applying it again changes nothing.
    await kubectlOk(['apply', '--server-side', '-f', join(REPO_ROOT, 'test/fixtures/engine/crd/crd.yaml')]);
    await kubectlOk(['wait', '--for=condition=Established', 'crd/services.drift.kube-drift.dev']);
    repo = writeRepository();
    byKubectl = await withNamespace('verify-kubectl');
    byDrift = await withNamespace('verify-applied');
    await applyAsUsersDo(repo, byKubectl.name);
    await applyWithKubeDrift(repo, byDrift.name, PATHS);
  });
  after(async () => {
    for (const ns of [byKubectl, byDrift]) {
      if (!ns) continue;
      await forgetTarget(ns.name, ['services.drift.kube-drift.dev']);
      await ns.cleanup();
    }
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('applied by kubectl and helm: the same report, in sync, objects proved', async (t) => {
    const { auto } = await bothModes(repo, byKubectl.name, PATHS, t);
    assert.deepEqual(drifted(auto.report), []);
    await clientAgrees(repo, byKubectl.name, PATHS, auto.report, t);
    assert.ok((auto.report.verification?.proof ?? 0) > 0, JSON.stringify(auto.report.verification));
  });

  it('applied by kube-drift: the same report, in sync, most objects proved', async (t) => {
    const { auto } = await bothModes(repo, byDrift.name, PATHS, t);
    assert.deepEqual(drifted(auto.report), []);
    await clientAgrees(repo, byDrift.name, PATHS, auto.report, t);
    assert.ok((auto.report.verification?.proof ?? 0) > 0, JSON.stringify(auto.report.verification));
  });

  it('adopted by kube-drift apply, then edited by hand in every way: the same findings field by field', async (t) => {
    await applyWithKubeDrift(repo, byKubectl.name, PATHS);
    for (const ns of [byKubectl.name, byDrift.name]) await editByHand(ns);
    // Git drops a key the appliers (kubectl, then kube-drift) set: applying Git removes it.
    const config = join(repo, 'app/config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('  GREETING: hello\n', ''));
    for (const ns of [byKubectl.name, byDrift.name]) {
      const { auto } = await bothModes(repo, ns, PATHS, t);
      assert.equal(auto.code, 1);
      await clientAgrees(repo, ns, PATHS, auto.report, t);
      const found = drifted(auto.report);
      for (const expected of [
        'Deployment/web configured',
        'Deployment/api configured',
        'Deployment/probe configured',
        'Deployment/worker configured',
        'Deployment/prod-cache configured',
        'Service/web configured',
        'ConfigMap/settings configured',
        'Secret/credentials configured',
        'Role/reader configured',
        'Service/checkout configured',
        'RoleBinding/reader created',
      ])
        assert.ok(
          found.some((line) => line.startsWith(expected)),
          `${expected} in:\n${found.join('\n')}`,
        );
      const settings = auto.report.entries.find((e) => e.kind === 'ConfigMap' && e.name === 'settings');
      assert.deepEqual(
        settings?.changes.map((c) => `${c.path}: ${c.before} -> ${c.after}`),
        ['/data/GREETING: hello -> undefined', '/data/COLOR: undefined -> blue'],
      );
    }
  });
});

describe('where the proof fails, the dry-run decides', { timeout: 300_000 }, () => {
  let ns: TestNamespace;
  let repo: string;

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-unproven-'));
    cpSync(join(REPO_ROOT, 'test/fixtures/verify/unproven.yaml'), join(repo, 'unproven/unproven.yaml'));
    ns = await withNamespace('verify-unproven');
    await applyWithKubeDrift(repo, ns.name, ['unproven']);
    await waitFor(
      async () => (await kubectl(['-n', ns.name, 'get', 'configmap', 'dropped'])).code === 0,
      30_000,
      'the applied ConfigMap',
    );
  });
  after(async () => {
    if (ns) await forgetTarget(ns.name);
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  // A default inside an atomic list and `{}` the server drops are proved since the proof compares
  // Git as the server stores it (src/drift/stored-form.ts); the finer quantity is still dry-run.
  it('a quantity finer than milli, a default inside an atomic list, {} the server drops: in sync', async () => {
    const { auto } = await bothModes(repo, ns.name, ['unproven']);
    assert.equal(auto.code, 0);
    assert.deepEqual(drifted(auto.report), []);
    const live = await kubectlOk([
      '-n',
      ns.name,
      'get',
      'deployment/quantity',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].resources.limits}',
    ]);
    assert.deepEqual(
      JSON.parse(live),
      { cpu: '1m', memory: '134217728' },
      'the server rounds resource lists up to milli',
    );
    assert.deepEqual(auto.report.verification, { dryRun: 1, proof: 4, clientSide: 0, notVerifiable: 0 });
  });

  it('a field removed from Git that kube-drift applied: reported removed, by dry-run', async () => {
    const file = join(repo, 'unproven/unproven.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  dropped: "2"\n', ''));
    const { auto } = await bothModes(repo, ns.name, ['unproven']);
    assert.equal(auto.code, 1);
    assert.deepEqual(drifted(auto.report), ['ConfigMap/dropped configured /data/dropped']);
    assert.deepEqual(auto.report.verification, { dryRun: 2, proof: 3, clientSide: 0, notVerifiable: 0 });
  });
});

/** An app whose Git state, once applied, is changed in Git and by hand in the ways the risk review flags. */
const RISKY_APP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: env
data:
  MODE: prod
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: untouched
data:
  KEY: value
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: consumer
spec:
  replicas: 2
  selector:
    matchLabels: {app: consumer}
  template:
    metadata:
      labels: {app: consumer}
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
          envFrom: [{configMapRef: {name: env}}]
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
          resources:
            limits: {cpu: 0.5, memory: 1Gi}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reader
spec:
  selector:
    matchLabels: {app: reader}
  template:
    metadata:
      labels: {app: reader}
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
          envFrom: [{configMapRef: {name: env}}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: imaged
spec:
  selector:
    matchLabels: {app: imaged}
  template:
    metadata:
      labels: {app: imaged}
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: locked
spec:
  selector:
    matchLabels: {app: locked}
  template:
    metadata:
      labels: {app: locked}
    spec:
      containers:
        - name: app
          image: registry.example/app:1.0
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ops
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list]
---
apiVersion: v1
kind: Service
metadata:
  name: front
spec:
  selector: {app: consumer}
  ports:
    - {name: http, port: 80, targetPort: 8080}
`;

describe('the risk review is the same in both modes', { timeout: 300_000 }, () => {
  let ns: TestNamespace;
  let repo: string;

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-risky-'));
    mkdirSync(join(repo, 'risky'));
    writeFileSync(join(repo, 'risky/app.yaml'), RISKY_APP);
    ns = await withNamespace('verify-risks');
    await applyWithKubeDrift(repo, ns.name, ['risky']);
  });
  after(async () => {
    if (ns) await forgetTarget(ns.name);
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('config without rollout, privilege, RBAC escalation, an immutable field, exposure, availability, images', async (t) => {
    const n = ['-n', ns.name];
    // By hand: data live workloads consume (Git's value brings it back, and reader's pod template
    // does not change), an image.
    await kubectlOk([...n, 'patch', 'configmap/env', '--type', 'merge', '-p', '{"data":{"MODE":"debug"}}']);
    await kubectlOk([...n, 'set', 'image', 'deployment/imaged', 'app=registry.example/app:1.1']);
    // In Git: a privileged container and no readiness probe, a wildcard verb, a new selector, a NodePort.
    const file = join(repo, 'risky/app.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(
          '          readinessProbe:\n            httpGet: {path: /ready, port: 8080}\n',
          '          securityContext: {privileged: true}\n',
        )
        .replace('verbs: [get, list]', 'verbs: ["*"]')
        .replace('matchLabels: {app: locked}', 'matchLabels: {app: locked, v: "2"}')
        .replace('labels: {app: locked}', 'labels: {app: locked, v: "2"}')
        .replace(
          'spec:\n  selector: {app: consumer}',
          'spec:\n  type: NodePort\n  selector: {app: consumer}',
        ),
    );
    const { auto } = await bothModes(repo, ns.name, ['risky'], t);
    const rules = auto.report.risks.map((r) => `${r.rule} ${r.subject}`);
    for (const expected of [
      `config-without-rollout ConfigMap/${ns.name}/env`,
      `workload-privilege Deployment/${ns.name}/consumer`,
      `availability Deployment/${ns.name}/consumer`,
      `rbac-escalation Role/${ns.name}/ops`,
      `immutable-field Deployment/${ns.name}/locked`,
      `exposure Service/${ns.name}/front`,
      `image-change Deployment/${ns.name}/imaged`,
    ])
      assert.ok(rules.includes(expected), `${expected} in:\n${rules.join('\n')}`);
    assert.ok((auto.report.verification?.proof ?? 0) > 0, JSON.stringify(auto.report.verification));
  });
});
