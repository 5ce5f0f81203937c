// delete-stateful against the local control plane: pruning a CRD says how many custom resources go
// with it (none: a warning; three: danger, and says three); pruning a plain ConfigMap is not flagged.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { kubectl, kubectlOk, waitFor } from '../../support/cluster.ts';
import { findings, type RiskRepo, riskRepo } from './support.ts';

const group = `risk-${randomBytes(3).toString('hex')}.example.com`;
const crdName = `gadgets.${group}`;
const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${crdName}
spec:
  group: ${group}
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
const configMap = (ns: string, name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  a: "1"\n`;
const gadget = (ns: string, name: string) =>
  `apiVersion: ${group}/v1\nkind: Gadget\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n`;

describe('delete-stateful', { timeout: 180_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('delete');
    repo.write({
      'crd.yaml': crd,
      'keep.yaml': configMap(repo.ns, 'keep'),
      'old.yaml': configMap(repo.ns, 'old'),
    });
    await repo.apply({ prune: 'true' });
    await kubectlOk(['wait', '--for=condition=established', `crd/${crdName}`, '--timeout=60s']);
  });
  after(async () => {
    await kubectl(['delete', 'crd', crdName, '--ignore-not-found', '--wait=false']);
    await repo?.cleanup();
  });

  it('a ConfigMap pruned: not stateful, no finding', async () => {
    repo.write({ 'crd.yaml': crd, 'keep.yaml': configMap(repo.ns, 'keep') });
    const review = await repo.review({ prune: 'true' });
    assert.deepEqual(findings(review, 'delete-stateful'), []);
    assert.deepEqual(review.unchecked, []);
  });

  it('a CRD pruned with no custom resources live: a warning', async () => {
    repo.write({ 'keep.yaml': configMap(repo.ns, 'keep') });
    assert.deepEqual(findings(await repo.review({ prune: 'true' }), 'delete-stateful'), [
      `warning CustomResourceDefinition/${crdName}: prune deletes this CustomResourceDefinition; no Gadget objects exist now`,
    ]);
  });

  it('a CRD pruned with three custom resources live: danger, and says three', async () => {
    const three = ['g1', 'g2', 'g3'].map((n) => gadget(repo.ns, n)).join('---\n');
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: three });
    repo.write({ 'keep.yaml': configMap(repo.ns, 'keep') });
    const review = await repo.review({ prune: 'true' });
    assert.deepEqual(findings(review, 'delete-stateful'), [
      `danger CustomResourceDefinition/${crdName}: prune deletes this CustomResourceDefinition and with it the 3 Gadget objects in the cluster`,
    ]);
    assert.equal(review.findings[0].rule, 'delete-stateful', 'danger comes first');
  });
});

describe('delete-stateful: a Namespace', { timeout: 180_000 }, () => {
  let repo: RiskRepo;
  let team: string;
  before(async () => {
    repo = await riskRepo('delete-ns');
    team = `${repo.ns}-team`;
    const namespace = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${team}\n`;
    repo.write({
      'team.yaml': namespace,
      'cm.yaml': configMap(team, 'in-team'),
      'keep.yaml': configMap(repo.ns, 'keep'),
    });
    await repo.apply({ prune: 'true' });
    // Made by hand in the Namespace: they go with it.
    await kubectlOk(['-n', team, 'create', 'secret', 'generic', 'by-hand', '--from-literal=a=b']);
    await kubectlOk(['-n', team, 'create', 'configmap', 'also-by-hand']);
  });
  after(async () => {
    await kubectl(['delete', 'namespace', team, '--ignore-not-found', '--wait=false']);
    await repo?.cleanup();
  });

  it('says what a pruned Namespace holds, by kind, read from every kind the server serves', async () => {
    repo.write({ 'keep.yaml': configMap(repo.ns, 'keep') });
    const review = await repo.review({ prune: 'true' });
    assert.deepEqual(findings(review, 'delete-stateful'), [
      `danger Namespace/${team}: prune deletes this Namespace and the 3 objects in it (2 ConfigMap, 1 Secret)`,
    ]);
    assert.deepEqual(review.unchecked, []);
  });
});

describe('delete-stateful: a StatefulSet', { timeout: 180_000 }, () => {
  let repo: RiskRepo;
  const statefulSet = (ns: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: ${ns}
spec:
  replicas: 2
  serviceName: db
  # Both claims at once: with no volume provisioner here, an ordered rollout stops at the first.
  podManagementPolicy: Parallel
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - {name: db, image: registry.local/db:1}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
`;
  before(async () => {
    repo = await riskRepo('delete-sts');
    repo.write({ 'db.yaml': statefulSet(repo.ns), 'keep.yaml': configMap(repo.ns, 'keep') });
    await repo.apply({ prune: 'true' });
    await waitFor(
      async () =>
        (await kubectlOk(['-n', repo.ns, 'get', 'pvc', '-o', 'name'])).trim().split('\n').length === 2 &&
        (await kubectlOk(['-n', repo.ns, 'get', 'statefulset/db', '-o', 'jsonpath={.status.replicas}'])) ===
          '2',
      90_000,
      'StatefulSet db to have 2 Pods and 2 PersistentVolumeClaims',
    );
  });
  after(() => repo?.cleanup());

  it('names the claims a pruned StatefulSet leaves behind', async () => {
    repo.write({ 'keep.yaml': configMap(repo.ns, 'keep') });
    assert.deepEqual(findings(await repo.review({ prune: 'true' }), 'delete-stateful'), [
      `warning StatefulSet/${repo.ns}/db: prune deletes this StatefulSet and its 2 Pods; its 2 PersistentVolumeClaims (data-db-0, data-db-1) are kept`,
    ]);
  });
});
