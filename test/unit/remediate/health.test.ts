import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/model.ts';
import { stageOf } from '../../../src/remediate/apply.ts';
import { assessHealth, isWorkload } from '../../../src/remediate/health.ts';

function object(
  apiVersion: string,
  kind: string,
  spec: unknown,
  status: unknown,
  generation = 2,
): KubeObject {
  return { apiVersion, kind, metadata: { name: 'x', namespace: 'n', generation }, spec, status };
}

const available = { type: 'Available', status: 'True' };

describe('assessHealth', () => {
  const cases: { name: string; object: KubeObject | null; state: string; reason?: RegExp }[] = [
    { name: 'missing object', object: null, state: 'progressing', reason: /not found/ },
    {
      name: 'Deployment rolled out',
      object: object(
        'apps/v1',
        'Deployment',
        { replicas: 2 },
        {
          observedGeneration: 2,
          replicas: 2,
          updatedReplicas: 2,
          availableReplicas: 2,
          conditions: [available],
        },
      ),
      state: 'healthy',
    },
    {
      name: 'Deployment not yet observed',
      object: object(
        'apps/v1',
        'Deployment',
        { replicas: 2 },
        {
          observedGeneration: 1,
          replicas: 2,
          updatedReplicas: 2,
          availableReplicas: 2,
          conditions: [available],
        },
      ),
      state: 'progressing',
      reason: /latest generation/,
    },
    {
      name: 'Deployment with unavailable replicas',
      object: object(
        'apps/v1',
        'Deployment',
        { replicas: 3 },
        {
          observedGeneration: 2,
          replicas: 3,
          updatedReplicas: 3,
          availableReplicas: 1,
          conditions: [{ type: 'Available', status: 'False' }],
        },
      ),
      state: 'progressing',
      reason: /1\/3 replicas available/,
    },
    {
      name: 'Deployment with old replicas still running',
      object: object(
        'apps/v1',
        'Deployment',
        { replicas: 1 },
        {
          observedGeneration: 2,
          replicas: 2,
          updatedReplicas: 1,
          availableReplicas: 1,
          conditions: [available],
        },
      ),
      state: 'progressing',
      reason: /old replicas/,
    },
    {
      name: 'Deployment past its progress deadline',
      object: object(
        'apps/v1',
        'Deployment',
        { replicas: 1 },
        {
          observedGeneration: 2,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: 'ReplicaSet "x" has timed out progressing.',
            },
          ],
        },
      ),
      state: 'failed',
      reason: /progress deadline exceeded/,
    },
    {
      name: 'Deployment defaults to one replica',
      object: object(
        'apps/v1',
        'Deployment',
        {},
        {
          observedGeneration: 2,
          replicas: 1,
          updatedReplicas: 1,
          availableReplicas: 1,
          conditions: [available],
        },
      ),
      state: 'healthy',
    },
    {
      name: 'StatefulSet rolled out',
      object: object(
        'apps/v1',
        'StatefulSet',
        { replicas: 2 },
        {
          observedGeneration: 2,
          readyReplicas: 2,
          updatedReplicas: 2,
          currentRevision: 'r2',
          updateRevision: 'r2',
        },
      ),
      state: 'healthy',
    },
    {
      name: 'StatefulSet mid-rollout',
      object: object(
        'apps/v1',
        'StatefulSet',
        { replicas: 2 },
        {
          observedGeneration: 2,
          readyReplicas: 2,
          updatedReplicas: 1,
          currentRevision: 'r1',
          updateRevision: 'r2',
        },
      ),
      state: 'progressing',
      reason: /1\/2 replicas updated/,
    },
    {
      name: 'DaemonSet rolled out',
      object: object(
        'apps/v1',
        'DaemonSet',
        {},
        { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 },
      ),
      state: 'healthy',
    },
    {
      name: 'DaemonSet with pods unavailable',
      object: object(
        'apps/v1',
        'DaemonSet',
        {},
        { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 },
      ),
      state: 'progressing',
      reason: /2\/3 pods available/,
    },
    {
      name: 'Job complete',
      object: object('batch/v1', 'Job', {}, { conditions: [{ type: 'Complete', status: 'True' }] }),
      state: 'healthy',
    },
    {
      name: 'Job failed',
      object: object(
        'batch/v1',
        'Job',
        {},
        {
          failed: 3,
          conditions: [
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            },
          ],
        },
      ),
      state: 'failed',
      reason: /BackoffLimitExceeded/,
    },
    {
      name: 'Job running',
      object: object('batch/v1', 'Job', {}, { active: 1 }),
      state: 'progressing',
      reason: /1 active/,
    },
    {
      name: 'custom resource Ready',
      object: object(
        'example.com/v1',
        'Widget',
        {},
        { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True' }] },
      ),
      state: 'healthy',
    },
    {
      name: 'custom resource not Ready',
      object: object(
        'example.com/v1',
        'Widget',
        {},
        {
          observedGeneration: 2,
          conditions: [{ type: 'Ready', status: 'False', reason: 'Pending', message: 'waiting' }],
        },
      ),
      state: 'progressing',
      reason: /Ready is False \(Pending\): waiting/,
    },
    {
      name: 'ConfigMap by existence',
      object: object('v1', 'ConfigMap', undefined, undefined),
      state: 'healthy',
      reason: /exists/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const health = assessHealth(c.object);
      assert.equal(health.state, c.state, health.reason);
      if (c.reason) assert.match(health.reason, c.reason);
    });
  }

  it('knows which kinds are workloads', () => {
    assert.equal(isWorkload({ apiVersion: 'apps/v1', kind: 'Deployment' }), true);
    assert.equal(isWorkload({ apiVersion: 'batch/v1', kind: 'Job' }), true);
    assert.equal(isWorkload({ apiVersion: 'v1', kind: 'ConfigMap' }), false);
  });
});

describe('stageOf', () => {
  const cases: [string, string, number][] = [
    ['apiextensions.k8s.io', 'CustomResourceDefinition', 0],
    ['', 'Namespace', 0],
    ['rbac.authorization.k8s.io', 'ClusterRole', 0],
    ['storage.k8s.io', 'StorageClass', 1],
    ['gateway.networking.k8s.io', 'GatewayClass', 1],
    ['', 'ConfigMap', 2],
    ['apps', 'Deployment', 2],
    ['example.com', 'Widget', 2],
  ];
  for (const [group, kind, stage] of cases)
    it(`${kind} in stage ${stage}`, () => assert.equal(stageOf({ group, kind }), stage));
});
