import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployment, lines, obj, planned, review } from './support.ts';

const app = (securityContext?: Record<string, unknown>) => ({
  name: 'app',
  image: 'app:1',
  ...(securityContext ? { securityContext } : {}),
});

describe('workload-privilege', () => {
  const cases = [
    {
      name: 'privileged, host network and PID, hostPath, capabilities, root: each named',
      desired: deployment('web', {
        hostNetwork: true,
        hostPID: true,
        volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }],
        containers: [
          app({ privileged: true, runAsUser: 0, capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } }),
        ],
      }),
      live: deployment('web', { containers: [app({ capabilities: { add: ['SYS_TIME'] } })] }),
      want: [
        'workload-privilege danger Deployment/app/web: gains hostNetwork; hostPID; hostPath volume /var/run/docker.sock; privileged container app; capabilities NET_ADMIN in container app; root (runAsUser 0) in container app',
      ],
    },
    {
      name: 'live already privileged: nothing',
      desired: deployment('web', { containers: [app({ privileged: true })], hostNetwork: true }),
      live: deployment('web', { containers: [app({ privileged: true })], hostNetwork: true }),
      want: [],
    },
    {
      name: 'runAsNonRoot removed from the pod, root via the pod’s runAsUser',
      desired: deployment('web', { securityContext: { runAsUser: 0 }, containers: [app()] }),
      live: deployment('web', {
        securityContext: { runAsNonRoot: true, runAsUser: 1000 },
        containers: [app()],
      }),
      want: [
        'workload-privilege danger Deployment/app/web: gains root (runAsUser 0) in container app; runAsNonRoot removed',
      ],
    },
    {
      name: 'a new bare Pod, privileged',
      desired: obj('Pod', 'debug', { spec: { containers: [app({ privileged: true })] } }),
      live: null,
      want: ['workload-privilege danger Pod/app/debug: gains privileged container app'],
    },
    {
      name: 'a new unprivileged Deployment: nothing',
      desired: deployment('web', { containers: [app({ runAsUser: 1000 })] }),
      live: null,
      want: [],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const result = await review({ objects: [planned({ desired: c.desired, live: c.live })] });
      assert.deepEqual(lines(result, 'workload-privilege'), c.want);
    });
});
