// Change sets for the report tests, built the way the engine builds them: real objects,
// YAML unified diffs from the `diff` package, masked Secret values.

import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { stringify } from 'yaml';
import type {
  ChangeSet,
  ChangeSetEntry,
  FieldChange,
  KubeObject,
  ObjectRef,
  SourceLocation,
} from '../../../src/model.ts';
import { refOf, subjectOf } from '../../../src/model.ts';
import type { ReportMeta } from '../../../src/report/model.ts';

export const GENERATED_AT = '2025-05-01T12:00:00Z';

export const META: ReportMeta = {
  target: 'production',
  mode: 'diff',
  generatedAt: GENERATED_AT,
  kubeDriftVersion: '0.1.0',
  cluster: 'https://127.0.0.1:6443',
  revision: '3f2c1a9',
};

/** A pull request preview's report: compared with the base commit as well as the cluster. */
export const THREE_WAY_META: ReportMeta = {
  ...META,
  comparison: { kind: 'three-way', base: '9b1e0c4d2a7f3e5b6c8d0a1f2e3b4c5d6e7f8a9b' },
};

/** A time `minutes` before GENERATED_AT. */
export function ago(minutes: number): string {
  return new Date(Date.parse(GENERATED_AT) - minutes * 60_000).toISOString();
}

export function diffOf(live: KubeObject | null, desired: KubeObject | null): string {
  const object = (desired ?? live)!;
  const subject = subjectOf(refOf(object));
  return createTwoFilesPatch(
    `live/${subject}`,
    `git/${subject}`,
    live ? stringify(live) : '',
    desired ? stringify(desired) : '',
    undefined,
    undefined,
    { headerOptions: FILE_HEADERS_ONLY },
  );
}

export function entry(
  action: ChangeSetEntry['action'],
  live: KubeObject | null,
  desired: KubeObject | null,
  extra: { source?: SourceLocation; group?: string; changes?: FieldChange[]; note?: string } = {},
): ChangeSetEntry {
  const object = (desired ?? live)!;
  const ref: ObjectRef = refOf(object);
  const result: ChangeSetEntry = {
    ref,
    action,
    changes: extra.changes ?? [],
    diff: action === 'unchanged' || action === 'skipped' ? '' : diffOf(live, desired),
  };
  if (extra.source) result.source = extra.source;
  if (extra.group !== undefined) result.group = extra.group;
  if (extra.note !== undefined) result.note = extra.note;
  return result;
}

export function deployment(
  name: string,
  namespace: string,
  spec: { replicas: number; image: string; env?: Record<string, string> },
  labels: Record<string, string> = { app: name },
): KubeObject {
  const container: Record<string, unknown> = { name, image: spec.image, ports: [{ containerPort: 8080 }] };
  if (spec.env)
    container.env = Object.entries(spec.env).map(([envName, value]) => ({ name: envName, value }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container] } },
    },
  };
}

export function configMap(name: string, namespace: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

function unchangedEntries(count: number, group?: string): ChangeSetEntry[] {
  return Array.from({ length: count }, (_, index) =>
    entry('unchanged', null, configMap(`settings-${index + 1}`, 'web', { key: 'value' }), {
      source: { file: 'deploy/web/settings.yaml', line: 1 + index * 8 },
      group,
    }),
  );
}

export function inSyncChangeSet(): ChangeSet {
  return { target: 'production', entries: unchangedEntries(12), errors: [] };
}

export function mixedChangeSet(): ChangeSet {
  const liveApi = deployment(
    'api',
    'web',
    { replicas: 5, image: 'ghcr.io/acme/api:1.4.0', env: { LOG_LEVEL: 'debug' } },
    {
      app: 'api',
      hotfix: 'true',
    },
  );
  const gitApi = deployment('api', 'web', { replicas: 3, image: 'ghcr.io/acme/api:1.5.0' });
  const liveSecret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'api-credentials', namespace: 'web' },
    type: 'Opaque',
    data: { password: '*** (before)', username: '***' },
  };
  const gitSecret: KubeObject = { ...liveSecret, data: { password: '*** (after)', username: '***' } };
  return {
    target: 'production',
    entries: [
      entry('created', null, configMap('feature-flags', 'web', { checkout: 'on', 'search-v2': 'off' }), {
        source: { file: 'deploy/web/flags.yaml', line: 1 },
        group: 'deploy/web',
      }),
      entry('configured', liveApi, gitApi, {
        source: { file: 'deploy/web/api.yaml', line: 12 },
        group: 'deploy/web',
        changes: [
          { path: '/metadata/labels/hotfix', before: 'true' },
          { path: '/spec/replicas', before: 5, after: 3 },
          {
            path: '/spec/template/spec/containers/0/image',
            before: 'ghcr.io/acme/api:1.4.0',
            after: 'ghcr.io/acme/api:1.5.0',
          },
          { path: '/spec/template/spec/containers/0/env', before: [{ name: 'LOG_LEVEL', value: 'debug' }] },
        ],
      }),
      entry('configured', liveSecret, gitSecret, {
        source: { file: 'deploy/web/secret.yaml', line: 1 },
        group: 'deploy/web',
        changes: [{ path: '/data/password', before: '*** (before)', after: '*** (after)' }],
      }),
      entry('deleted', configMap('old-banner', 'web', { text: 'Maintenance | Sunday' }), null, {
        group: 'deploy/web',
        note: 'owned by production, no longer in Git',
      }),
      entry('skipped', null, deployment('batch', 'jobs', { replicas: 1, image: 'ghcr.io/acme/batch:2' }), {
        source: { file: 'deploy/jobs/batch.yaml', line: 1 },
        group: 'deploy/jobs',
        note: 'annotation kube-drift.dev/reconcile: disabled',
      }),
      ...unchangedEntries(3, 'deploy/web'),
    ],
    errors: [
      {
        message:
          'dry-run failed: Deployment.apps "worker" is invalid: spec.template.spec.containers[0].image: Required value',
        object: 'Deployment/jobs/worker',
        file: 'deploy/jobs/worker.yaml',
        line: 4,
      },
      {
        message:
          'kustomize build failed:\nError: accumulating resources: ```missing``` file\n  at overlays/prod',
      },
    ],
  };
}

export function threeWayChangeSet(): ChangeSet {
  const live = deployment('api', 'web', {
    replicas: 6,
    image: 'ghcr.io/acme/api:1.4.0',
    env: { MODE: 'hotfix' },
  });
  const head = deployment('api', 'web', {
    replicas: 3,
    image: 'ghcr.io/acme/api:1.5.0',
    env: { MODE: 'new' },
  });
  const liveCache = configMap('cache', 'web', { size: '512Mi' });
  const gitCache = configMap('cache', 'web', { size: '256Mi' });
  return {
    target: 'production',
    entries: [
      entry('configured', live, head, {
        source: { file: 'deploy/web/api.yaml', line: 12 },
        changes: [
          { path: '/spec/replicas', before: 6, after: 3, class: 'drift', changedBy: scale(12) },
          {
            path: '/spec/template/spec/containers/0/image',
            before: 'ghcr.io/acme/api:1.4.0',
            after: 'ghcr.io/acme/api:1.5.0',
            class: 'pr',
          },
          {
            path: '/spec/template/spec/containers/0/env/0/value',
            before: 'hotfix',
            after: 'new',
            class: 'both',
            changedBy: { manager: 'kubectl-edit', operation: 'Update', time: ago(90), controller: false },
          },
        ],
      }),
      entry('configured', liveCache, gitCache, {
        source: { file: 'deploy/web/cache.yaml', line: 1 },
        changes: [
          {
            path: '/data/size',
            before: '512Mi',
            after: '256Mi',
            class: 'drift',
            changedBy: {
              manager: 'kubectl-patch',
              operation: 'Update',
              time: ago(60 * 26),
              controller: false,
            },
          },
        ],
      }),
      entry('created', null, configMap('feature-flags', 'web', { checkout: 'on' }), {
        source: { file: 'deploy/web/flags.yaml', line: 1 },
        note: 'added by this PR',
      }),
      ...unchangedEntries(2),
    ],
    errors: [],
  };
}

function scale(minutesAgo: number) {
  return {
    manager: 'kubectl-scale',
    operation: 'Update',
    subresource: 'scale',
    time: ago(minutesAgo),
    controller: false,
  } as const;
}

export function attributionChangeSet(): ChangeSet {
  const live = deployment(
    'api',
    'web',
    { replicas: 7, image: 'ghcr.io/acme/api:1.4.0' },
    { app: 'api', owner: 'ops' },
  );
  live.metadata.annotations = { 'acme.dev/oncall': 'alice' };
  const git = deployment('api', 'web', { replicas: 3, image: 'ghcr.io/acme/api:1.4.0' });
  git.metadata.annotations = { 'acme.dev/oncall': 'bob' };
  const liveWorker = deployment('worker', 'jobs', { replicas: 2, image: 'ghcr.io/acme/worker:3' });
  const gitWorker = deployment('worker', 'jobs', { replicas: 2, image: 'ghcr.io/acme/worker:3.1' });
  return {
    target: 'production',
    entries: [
      entry('configured', live, git, {
        source: { file: 'deploy/web/api.yaml', line: 12 },
        changes: [
          {
            path: '/metadata/labels/owner',
            before: 'ops',
            changedBy: { manager: 'kubectl-label', operation: 'Update', time: ago(12), controller: false },
          },
          {
            path: '/metadata/annotations/acme.dev~1oncall',
            before: 'alice',
            after: 'bob',
            changedBy: {
              manager: 'kubectl-edit',
              operation: 'Update',
              time: ago(60 * 24 * 3),
              controller: false,
            },
          },
          {
            path: '/spec/replicas',
            before: 7,
            after: 3,
            changedBy: {
              manager: 'kube-controller-manager',
              operation: 'Update',
              subresource: 'scale',
              time: ago(125),
              controller: true,
            },
          },
        ],
      }),
      entry('configured', liveWorker, gitWorker, {
        source: { file: 'deploy/jobs/worker.yaml', line: 1 },
        changes: [
          {
            path: '/spec/template/spec/containers/0/image',
            before: 'ghcr.io/acme/worker:3',
            after: 'ghcr.io/acme/worker:3.1',
            changedBy: null,
          },
        ],
      }),
    ],
    errors: [],
  };
}

/** `count` drifted Deployments, each with three field changes and a diff of about 40 lines. */
export function largeDriftChangeSet(count: number): ChangeSet {
  const entries: ChangeSetEntry[] = [];
  for (let index = 0; index < count; index++) {
    const name = `service-${String(index).padStart(5, '0')}`;
    const env = Object.fromEntries(
      Array.from({ length: 8 }, (_, n) => [`SETTING_${n}`, `value-${n}-${index}`]),
    );
    const live = deployment(name, `team-${index % 17}`, {
      replicas: 2,
      image: `ghcr.io/acme/${name}:1.0`,
      env,
    });
    const git = deployment(name, `team-${index % 17}`, {
      replicas: 4,
      image: `ghcr.io/acme/${name}:1.1`,
      env: { ...env, SETTING_3: 'changed' },
    });
    entries.push(
      entry('configured', live, git, {
        source: { file: `deploy/team-${index % 17}/${name}.yaml`, line: 1 },
        group: `deploy/team-${index % 3}`,
        changes: [
          { path: '/spec/replicas', before: 2, after: 4, changedBy: scale(index % 300) },
          {
            path: '/spec/template/spec/containers/0/image',
            before: `ghcr.io/acme/${name}:1.0`,
            after: `ghcr.io/acme/${name}:1.1`,
          },
          {
            path: '/spec/template/spec/containers/0/env/3/value',
            before: `value-3-${index}`,
            after: 'changed',
          },
        ],
      }),
    );
  }
  return { target: 'production', entries, errors: [] };
}
