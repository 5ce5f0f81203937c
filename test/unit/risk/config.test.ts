import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/model.ts';
import { reviewRisks } from '../../../src/risk/index.ts';
import { clusterOf, deployment, lines, obj, planned, review } from './support.ts';

const container = (more: Record<string, unknown>) => ({ name: 'app', image: 'app:1', ...more });
const byVolume = deployment('web', {
  containers: [container({})],
  volumes: [{ name: 'c', configMap: { name: 'settings' } }],
});
const byEnvFrom = obj('StatefulSet', 'db', {
  spec: {
    template: { spec: { containers: [container({ envFrom: [{ configMapRef: { name: 'settings' } }] })] } },
  },
});
const byValueFrom = obj('CronJob', 'report', {
  spec: {
    jobTemplate: {
      spec: {
        template: {
          spec: {
            containers: [
              container({
                env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'a' } } }],
              }),
            ],
          },
        },
      },
    },
  },
});
const byProjected = obj('Pod', 'debug', {
  spec: {
    containers: [container({})],
    volumes: [
      {
        name: 'p',
        projected: { sources: [{ secret: { name: 'creds' } }, { configMap: { name: 'settings' } }] },
      },
    ],
  },
});
const ownedPod = obj('Pod', 'web-abc', {
  metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'web-x', controller: true }] },
  spec: byVolume.spec,
});
const cronJobRun = obj('Job', 'report-1', {
  metadata: { ownerReferences: [{ kind: 'CronJob', name: 'report', controller: true }] },
  spec: (byValueFrom.spec as { jobTemplate: { spec: unknown } }).jobTemplate.spec,
});
const other = deployment('other', {
  containers: [container({ envFrom: [{ configMapRef: { name: 'unrelated' } }] })],
});
const settingsChange = () =>
  planned({
    desired: obj('ConfigMap', 'settings', { data: { a: '2' } }),
    live: obj('ConfigMap', 'settings', { data: { a: '1' } }),
  });

describe('config-without-rollout', () => {
  const cases: { name: string; objects: ReturnType<typeof planned>[]; live: KubeObject[]; want: string[] }[] =
    [
      {
        name: 'names every live consumer: volumes, envFrom, valueFrom, projected; not Pods or Jobs a controller owns',
        objects: [settingsChange()],
        live: [byVolume, byEnvFrom, byValueFrom, cronJobRun, byProjected, ownedPod, other],
        want: [
          'config-without-rollout warning ConfigMap/app/settings: 4 live workloads consume this ConfigMap and their pod templates do not change, so running Pods keep the old values until restarted: CronJob/report, Deployment/web, Pod/debug, StatefulSet/db (add a checksum annotation to the pod template, or restart them)',
        ],
      },
      {
        name: 'the consumer’s pod template changes too (a checksum annotation): nothing',
        objects: [
          settingsChange(),
          planned({
            desired: deployment(
              'web',
              (byVolume.spec as { template: { spec: Record<string, unknown> } }).template.spec,
              {
                template: {
                  metadata: { labels: { app: 'web' }, annotations: { 'checksum/config': 'b' } },
                  spec: (byVolume.spec as { template: { spec: Record<string, unknown> } }).template.spec,
                },
              },
            ),
            live: byVolume,
          }),
        ],
        live: [byVolume],
        want: [],
      },
      {
        name: 'a Secret: names the workload, never a value',
        objects: [
          planned({
            desired: obj('Secret', 'creds', { data: { password: 'czNjcjN0LW5ldw==' } }),
            live: obj('Secret', 'creds', { data: { password: 'czNjcjN0LW9sZA==' } }),
          }),
        ],
        live: [byProjected],
        want: [
          'config-without-rollout warning Secret/app/creds: a live workload consumes this Secret and its pod template does not change, so running Pods keep the old values until restarted: Pod/debug (add a checksum annotation to the pod template, or restart them)',
        ],
      },
      { name: 'no live consumer', objects: [settingsChange()], live: [other], want: [] },
      {
        name: 'only labels change: running Pods see no new values',
        objects: [
          planned({
            desired: obj('ConfigMap', 'settings', { metadata: { labels: { a: 'b' } }, data: { a: '1' } }),
            live: obj('ConfigMap', 'settings', { data: { a: '1' } }),
          }),
        ],
        live: [byVolume],
        want: [],
      },
    ];
  for (const c of cases)
    it(c.name, async () => {
      const result = await review({ objects: c.objects, live: c.live });
      assert.deepEqual(lines(result, 'config-without-rollout'), c.want);
      assert.deepEqual(result.unchecked, []);
      const text = JSON.stringify(result);
      for (const value of ['czNjcjN0', 's3cr3t'])
        assert.ok(!text.includes(value), `a Secret value in the review: ${value}`);
    });

  it('when live workloads may not be listed, says the rule could not be checked', async () => {
    const result = await review({
      objects: [settingsChange()],
      live: [byVolume],
      forbidden: ['apps|Deployment'],
    });
    assert.deepEqual(lines(result, 'config-without-rollout'), []);
    assert.deepEqual(result.unchecked, [
      {
        rule: 'config-without-rollout',
        reason:
          'could not list deployments.apps in namespace app: forbidden (grant list on it to the credentials kube-drift uses)',
      },
    ]);
  });

  it('reads every namespace’s workloads at once, and names consumers in the same order whatever order the answers come in', async () => {
    const inNamespace = (namespace: string) => ({
      change: planned({
        desired: obj('ConfigMap', 'settings', { data: { a: '2' } }, namespace),
        live: obj('ConfigMap', 'settings', { data: { a: '1' } }, namespace),
      }),
      consumers: [
        obj('Deployment', 'web', { spec: byVolume.spec }, namespace),
        obj('StatefulSet', 'db', { spec: byEnvFrom.spec }, namespace),
      ],
    });
    const a = inNamespace('a');
    const b = inNamespace('b');
    const run = async (answerOrder: (i: number) => number, forbidden: string[] = []) => {
      const cluster = clusterOf([...a.consumers, ...b.consumers], forbidden);
      let inFlight = 0;
      let most = 0;
      let calls = 0;
      const result = await reviewRisks({
        plan: { objects: [a.change, b.change], deletions: [] },
        changeSet: { target: 't', entries: [a.change.entry, b.change.entry], errors: [] },
        threeWay: false,
        settings: { target: 't', prune: true, maxDeletions: 25, force: false, accepted: [] },
        cluster: {
          ...cluster,
          list: async (info, version, namespace) => {
            const turn = answerOrder(calls++);
            most = Math.max(most, ++inFlight);
            // The answers come back after a delay set by the order under test.
            await new Promise((resolve) => setTimeout(resolve, turn * 2));
            inFlight--;
            return cluster.list(info, version, namespace);
          },
        },
        onWarning: () => {},
      });
      return { lines: lines(result, 'config-without-rollout'), most, unchecked: result.unchecked };
    };
    const inOrder = await run((i) => i);
    const reversed = await run((i) => 20 - i);
    // Six consumer kinds in each of two namespaces, all asked before the first answer.
    assert.equal(inOrder.most, 12);
    const want = ['a', 'b'].map(
      (namespace) =>
        `config-without-rollout warning ConfigMap/${namespace}/settings: 2 live workloads consume this ConfigMap and their pod templates do not change, so running Pods keep the old values until restarted: Deployment/web, StatefulSet/db (add a checksum annotation to the pod template, or restart them)`,
    );
    assert.deepEqual(inOrder.lines, want);
    assert.deepEqual(reversed.lines, want);
    // What could not be read is listed in the order the rule asked, not the order of the answers.
    const forbidden = ['apps|Deployment', 'apps|DaemonSet', 'batch|CronJob'];
    const gaps = (await run((i) => 20 - i, forbidden)).unchecked.map((g) => g.reason.split(':')[0]);
    assert.deepEqual(gaps, [
      'could not list deployments.apps in namespace a',
      'could not list daemonsets.apps in namespace a',
      'could not list cronjobs.batch in namespace a',
      'could not list deployments.apps in namespace b',
      'could not list daemonsets.apps in namespace b',
      'could not list cronjobs.batch in namespace b',
    ]);
  });
});
