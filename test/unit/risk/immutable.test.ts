import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployment, lines, obj, planned, review } from './support.ts';

const web = (labels: Record<string, string>) =>
  deployment(
    'web',
    { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    { selector: { matchLabels: labels } },
  );
const withStatus = (o: ReturnType<typeof web>, status: Record<string, unknown>) => ({ ...o, status });

describe('immutable-field', () => {
  const cases = [
    {
      name: 'the dry-run refused a Deployment selector: danger, with the Pods recreating costs',
      objects: [
        planned({
          desired: web({ app: 'web2' }),
          live: withStatus(web({ app: 'web' }), { replicas: 3 }),
          refusal: { kind: 'immutable', fields: ['spec.selector'] },
        }),
      ],
      want: [
        'immutable-field danger Deployment/app/web: immutable field spec.selector changes, so the apply is refused; remediation recreates it only with force, which deletes and restarts its 3 Pods',
      ],
    },
    {
      name: 'force on: says remediation recreates it',
      force: true,
      objects: [
        planned({
          desired: obj('Service', 'api', { spec: { clusterIP: '10.0.0.9' } }),
          live: obj('Service', 'api', { spec: { clusterIP: '10.0.0.5' } }),
          refusal: { kind: 'immutable', fields: ['spec.clusterIP'] },
        }),
      ],
      want: [
        'immutable-field danger Service/app/api: immutable field spec.clusterIP changes, so the apply is refused; force is on, so remediation deletes and recreates it, which gives it a new clusterIP (now 10.0.0.5)',
      ],
    },
    {
      name: "the server's other wording (a Service's clusterIPs may not change once set), on known fields only",
      objects: [
        planned({
          desired: obj('Service', 'api', { spec: { clusterIP: 'None' } }),
          live: obj('Service', 'api', { spec: { clusterIP: '10.0.0.5' } }),
          refusal: { kind: 'invalid', fields: ['spec.clusterIPs[0]'] },
        }),
        planned({
          desired: obj('Service', 'other', { spec: { ports: [{ port: -1 }] } }),
          live: obj('Service', 'other', { spec: { clusterIP: '10.0.0.6' } }),
          refusal: { kind: 'invalid', fields: ['spec.ports[0].port'] },
        }),
      ],
      want: [
        'immutable-field danger Service/app/api: immutable field spec.clusterIPs[0] changes, so the apply is refused; remediation cannot recreate it, even with force (the server does not call the field immutable): delete it by hand, which gives it a new clusterIP (now 10.0.0.5), or keep the live value in Git',
      ],
    },
    {
      name: 'client mode (no dry-run): predicted from the table of known fields',
      objects: [
        planned({
          desired: obj('PersistentVolumeClaim', 'data', {
            spec: { storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } },
          }),
          live: obj('PersistentVolumeClaim', 'data', {
            spec: { storageClassName: 'slow', resources: { requests: { storage: '1Gi' } } },
          }),
          diffMode: 'client',
        }),
      ],
      want: [
        "immutable-field danger PersistentVolumeClaim/app/data: immutable field spec.storageClassName changes (predicted: no dry-run ran), so the apply would be refused; remediation recreates it only with force, which deletes the claim, and its data when the volume's reclaim policy is Delete",
      ],
      predicted: true,
    },
    {
      name: "client mode, a Service's clusterIP: predicted, and force would not help",
      objects: [
        planned({
          desired: obj('Service', 'api', { spec: { clusterIP: 'None' } }),
          live: obj('Service', 'api', { spec: { clusterIP: '10.0.0.5' } }),
          diffMode: 'client',
        }),
      ],
      want: [
        'immutable-field danger Service/app/api: immutable field spec.clusterIP changes (predicted: no dry-run ran), so the apply would be refused; remediation cannot recreate it, even with force (the server does not call the field immutable): delete it by hand, which gives it a new clusterIP (now 10.0.0.5), or keep the live value in Git',
      ],
      predicted: true,
    },
    {
      name: 'client mode, a mutable field only (a PVC grows): nothing',
      objects: [
        planned({
          desired: obj('PersistentVolumeClaim', 'data', {
            spec: { resources: { requests: { storage: '2Gi' } } },
          }),
          live: obj('PersistentVolumeClaim', 'data', {
            spec: { resources: { requests: { storage: '1Gi' } } },
          }),
          diffMode: 'client',
        }),
      ],
      want: [],
    },
    {
      name: 'server mode, the dry-run passed a selector change (it would have refused): no prediction',
      objects: [planned({ desired: web({ app: 'web2' }), live: web({ app: 'web' }), diffMode: 'server' })],
      want: [],
    },
    {
      name: 'a binding whose roleRef changes, in client mode',
      objects: [
        planned({
          desired: obj('RoleBinding', 'ops', {
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'b' },
          }),
          live: obj('RoleBinding', 'ops', {
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' },
          }),
          diffMode: 'client',
        }),
      ],
      want: [
        'immutable-field danger RoleBinding/app/ops: immutable field roleRef.name changes (predicted: no dry-run ran), so the apply would be refused; remediation recreates it only with force, which deletes it for a moment',
      ],
      predicted: true,
    },
    {
      name: 'a ConfigMap marked immutable whose data changes, in client mode; not one that is not marked',
      objects: [
        planned({
          desired: obj('ConfigMap', 'frozen', { immutable: true, data: { a: '2' } }),
          live: obj('ConfigMap', 'frozen', { immutable: true, data: { a: '1' } }),
          diffMode: 'client',
        }),
        planned({
          desired: obj('ConfigMap', 'plain', { data: { a: '2' } }),
          live: obj('ConfigMap', 'plain', { data: { a: '1' } }),
          diffMode: 'client',
        }),
      ],
      want: [
        'immutable-field danger ConfigMap/app/frozen: immutable field data.a changes (predicted: no dry-run ran), so the apply would be refused; remediation recreates it only with force, which deletes it for a moment',
      ],
      predicted: true,
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const result = await review({ objects: c.objects, force: c.force });
      assert.deepEqual(lines(result, 'immutable-field'), c.want);
      for (const f of result.findings.filter((f) => f.rule === 'immutable-field')) {
        assert.equal(f.predicted, c.predicted);
        assert.deepEqual(f.source, { file: `manifests/${c.objects[0].ref.name}.yaml`, line: 1 });
      }
    });
});
