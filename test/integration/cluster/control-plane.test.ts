// The local control plane that every other integration test stands on: a real API server
// of the release we build, RBAC that refuses writes to the read-only account, and kwok
// making Pods Ready (or not, or failed, for the test-health labels).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  kubectl,
  kubectlOk,
  readonlyKubeconfigPath,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';

interface Condition {
  type: string;
  status: string;
}

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
}

async function getJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk([...args, '-o', 'json'])) as T;
}

function deployment(
  name: string,
  namespace: string,
  replicas: number,
  labels: Record<string, string> = {},
): string {
  const podLabels = { app: name, ...labels };
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: podLabels },
        spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
      },
    },
  });
}

describe('local control plane', () => {
  let ns: TestNamespace;

  before(async () => {
    ns = await withNamespace('cluster-test');
  });

  after(async () => {
    await ns?.cleanup();
  });

  it('answers /readyz with ok', async () => {
    assert.equal(await kubectlOk(['get', '--raw', '/readyz']), 'ok');
  });

  it('reports the Kubernetes release it was built from', async () => {
    const version = await getJson<{ serverVersion: { gitVersion: string; major: string; minor: string } }>([
      'version',
    ]);
    assert.equal(version.serverVersion.gitVersion, 'v1.35.4');
    assert.equal(version.serverVersion.major, '1');
    assert.equal(version.serverVersion.minor, '35');
  });

  it('has a Ready kwok node', async () => {
    const nodes = await getJson<{
      items: { metadata: { name: string }; status: { conditions: Condition[] } }[];
    }>(['get', 'nodes']);
    const ready = nodes.items.filter((node) =>
      node.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    assert.ok(ready.length >= 1, `no Ready node among ${nodes.items.map((n) => n.metadata.name).join(', ')}`);
  });

  it('brings a 2-replica Deployment to Available with 2 ready replicas', async () => {
    await kubectlOk(['apply', '-f', '-'], { input: deployment('web', ns.name, 2) });
    const status = await waitFor(
      async () => {
        const d = await getJson<{ status: { readyReplicas?: number; conditions?: Condition[] } }>([
          'get',
          'deployment',
          'web',
          '-n',
          ns.name,
        ]);
        const available = d.status.conditions?.find((c) => c.type === 'Available');
        return available?.status === 'True' && d.status.readyReplicas === 2 ? d.status : undefined;
      },
      60_000,
      `Deployment ${ns.name}/web to be Available with 2 ready replicas`,
    );
    assert.equal(status.readyReplicas, 2);
  });

  it('records a server-side apply under the kubectl field manager', async () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: ns.name },
      data: { greeting: 'hello', count: '3' },
    };
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(configMap) });
    const read = await getJson<{
      data: Record<string, string>;
      metadata: { managedFields: ManagedFieldsEntry[] };
    }>(['get', 'configmap', 'applied', '-n', ns.name, '--show-managed-fields']);
    assert.deepEqual(read.data, { greeting: 'hello', count: '3' });
    const managers = read.metadata.managedFields.map((f) => `${f.manager}/${f.operation}`);
    assert.ok(managers.includes('kubectl/Apply'), `managedFields: ${managers.join(', ')}`);
  });

  it('lets the read-only account list pods but not create a ConfigMap', async () => {
    const kubeconfig = readonlyKubeconfigPath();
    const list = await kubectl(['get', 'pods', '-n', ns.name, '-o', 'name'], { kubeconfig });
    assert.equal(list.code, 0, list.stderr);
    const create = await kubectl(
      ['create', 'configmap', 'not-allowed', '-n', ns.name, '--from-literal=a=b'],
      {
        kubeconfig,
      },
    );
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /forbidden/);
  });

  it('removes a deleted Pod', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'short-lived', namespace: ns.name },
      spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
    };
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await waitFor(
      async () =>
        (await kubectlOk(['get', 'pod', 'short-lived', '-n', ns.name, '-o', 'jsonpath={.status.phase}'])) ===
        'Running',
      30_000,
      `Pod ${ns.name}/short-lived to run`,
    );
    await kubectlOk(['delete', 'pod', 'short-lived', '-n', ns.name, '--timeout=30s']);
    const after = await kubectl(['get', 'pod', 'short-lived', '-n', ns.name]);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /NotFound/);
  });

  it('keeps Pods labelled kube-drift.dev/test-health=unready Running but not Ready', async () => {
    await kubectlOk(['apply', '-f', '-'], {
      input: deployment('unready', ns.name, 1, { 'kube-drift.dev/test-health': 'unready' }),
    });
    const pod = await waitFor(
      async () => {
        const pods = await getJson<{ items: { status: { phase?: string; conditions?: Condition[] } }[] }>([
          'get',
          'pods',
          '-n',
          ns.name,
          '-l',
          'app=unready',
        ]);
        return pods.items.find((p) => p.status.phase === 'Running');
      },
      30_000,
      `a Running Pod of Deployment ${ns.name}/unready`,
    );
    assert.equal(pod.status.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    const d = await getJson<{ status: { readyReplicas?: number } }>([
      'get',
      'deployment',
      'unready',
      '-n',
      ns.name,
    ]);
    assert.equal(d.status.readyReplicas ?? 0, 0);
  });

  it('fails a Job whose Pods are labelled kube-drift.dev/test-health=fail', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'failing', namespace: ns.name },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels: { 'kube-drift.dev/test-health': 'fail' } },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
          },
        },
      },
    };
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(job) });
    const failed = await waitFor(
      async () => {
        const j = await getJson<{ status: { conditions?: Condition[] } }>([
          'get',
          'job',
          'failing',
          '-n',
          ns.name,
        ]);
        return j.status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
      },
      60_000,
      `Job ${ns.name}/failing to fail`,
    );
    assert.equal(failed.status, 'True');
  });

  it('completes a Job of ordinary Pods', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'succeeding', namespace: ns.name },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
          },
        },
      },
    };
    await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(job) });
    const complete = await waitFor(
      async () => {
        const j = await getJson<{ status: { conditions?: Condition[] } }>([
          'get',
          'job',
          'succeeding',
          '-n',
          ns.name,
        ]);
        return j.status.conditions?.find((c) => c.type === 'Complete' && c.status === 'True');
      },
      60_000,
      `Job ${ns.name}/succeeding to complete`,
    );
    assert.equal(complete.status, 'True');
  });
});
