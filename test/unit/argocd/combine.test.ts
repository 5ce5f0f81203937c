// ApplicationSet matrix and merge generators over list and git generators, with the examples
// of Argo CD's documentation (Generators-Matrix.md, Generators-Merge.md); the cluster
// generators there stand as list generators holding the same parameters.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ApplicationSetObject,
  expandApplicationSet,
} from '../../../src/render/argocd/applicationset.ts';

const REPO_URL = 'https://github.com/argoproj/argo-cd.git';
const ADDONS = 'applicationset/examples/matrix/cluster-addons';
const STAGING = { name: 'staging', server: 'https://1.2.3.4' };
const PRODUCTION = { name: 'production', server: 'https://2.4.6.8' };

describe('ApplicationSet matrix and merge generators', () => {
  let root: string;
  let repos: Map<string, string>;
  let n = 0;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'kube-drift-combine-'));
    for (const dir of ['argo-workflows', 'prometheus-operator'])
      mkdirSync(join(root, 'repo', ADDONS, dir), { recursive: true });
    for (const env of ['staging', 'production']) {
      mkdirSync(join(root, 'repo', 'cluster-config', env), { recursive: true });
      writeFileSync(
        join(root, 'repo', 'cluster-config', env, 'config.json'),
        JSON.stringify({ replicas: env.length }),
      );
    }
    repos = new Map([['github.com/argoproj/argo-cd', join(root, 'repo')]]);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const expand = (generators: unknown[], template: unknown, goTemplate = false) =>
    expandApplicationSet(
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'ApplicationSet',
        metadata: { name: 'addons', namespace: 'argocd' },
        spec: { goTemplate, generators, template },
      } as ApplicationSetObject,
      repos,
      join(root, `scratch-${n++}`),
    );

  it('matrix: git directories × clusters, every pair (the documented cluster-addons example)', async () => {
    const { applications, skipped } = await expand(
      [
        {
          matrix: {
            generators: [
              { git: { repoURL: REPO_URL, revision: 'HEAD', directories: [{ path: `${ADDONS}/*` }] } },
              { list: { elements: [STAGING, PRODUCTION] } },
            ],
          },
        },
      ],
      {
        metadata: { name: '{{path.basename}}-{{name}}' },
        spec: {
          source: { repoURL: REPO_URL, targetRevision: 'HEAD', path: '{{path}}' },
          destination: { server: '{{server}}', namespace: '{{path.basename}}' },
        },
      },
    );
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      applications.map((a) => [a.metadata.name, a.spec?.source?.path, a.spec?.destination?.server]),
      [
        ['argo-workflows-staging', `${ADDONS}/argo-workflows`, STAGING.server],
        ['argo-workflows-production', `${ADDONS}/argo-workflows`, PRODUCTION.server],
        ['prometheus-operator-staging', `${ADDONS}/prometheus-operator`, STAGING.server],
        ['prometheus-operator-production', `${ADDONS}/prometheus-operator`, PRODUCTION.server],
      ],
    );
  });

  it('matrix: the second child uses the first child’s parameters (git files, then a list naming path.basename)', async () => {
    const generators = (go: boolean) => [
      {
        matrix: {
          generators: [
            { git: { repoURL: REPO_URL, files: [{ path: 'cluster-config/**/config.json' }] } },
            {
              list: {
                elements: [{ cluster: go ? '{{ .path.basename }}' : '{{path.basename}}', tier: 'web' }],
              },
            },
          ],
        },
      },
    ];
    const flat = await expand(generators(false), { metadata: { name: '{{cluster}}-{{tier}}-{{replicas}}' } });
    assert.deepEqual(flat.skipped, []);
    assert.deepEqual(
      flat.applications.map((a) => a.metadata.name),
      ['production-web-10', 'staging-web-7'],
    );
    const go = await expand(
      generators(true),
      { metadata: { name: '{{ .cluster }}-{{ .tier }}-{{ .replicas }}' } },
      true,
    );
    assert.deepEqual(go.skipped, []);
    assert.deepEqual(
      go.applications.map((a) => a.metadata.name),
      ['production-web-10', 'staging-web-7'],
    );
  });

  it('merge: values overridden per cluster by mergeKeys server (the documented kafka/redis example)', async () => {
    const all = [
      { name: 'staging', server: STAGING.server, 'values.kafka': 'true', 'values.redis': 'false' },
      { name: 'production', server: PRODUCTION.server, 'values.kafka': 'true', 'values.redis': 'false' },
    ];
    const { applications, skipped } = await expand(
      [
        {
          merge: {
            mergeKeys: ['server'],
            generators: [
              { list: { elements: all } },
              // The clusters labelled use-kafka: 'false'.
              { list: { elements: [{ server: STAGING.server, 'values.kafka': 'false' }] } },
              // A specific cluster gets Redis; an element matching no base set is dropped.
              {
                list: {
                  elements: [
                    { server: PRODUCTION.server, 'values.redis': 'true' },
                    { server: 'https://9.9.9.9', 'values.redis': 'true' },
                  ],
                },
              },
            ],
          },
        },
      ],
      {
        metadata: { name: '{{name}}' },
        spec: {
          source: {
            helm: {
              parameters: [
                { name: 'kafka', value: '{{values.kafka}}' },
                { name: 'redis', value: '{{values.redis}}' },
              ],
            },
          },
        },
      },
    );
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      applications.map((a) => [
        a.metadata.name,
        ...(a.spec?.source?.helm?.parameters ?? []).map((p) => p.value),
      ]),
      [
        ['staging', 'false', 'false'],
        ['production', 'true', 'true'],
      ],
    );
  });

  it('merge with goTemplate merges nested values; a matrix over merge nests', async () => {
    const merge = {
      merge: {
        mergeKeys: ['server'],
        generators: [
          {
            list: {
              elements: [
                { ...STAGING, values: { kafka: true, redis: false } },
                { ...PRODUCTION, values: { kafka: true, redis: false } },
              ],
            },
          },
          { list: { elements: [{ server: PRODUCTION.server, values: { redis: true } }] } },
        ],
      },
    };
    const { applications, skipped } = await expand(
      [{ matrix: { generators: [merge, { list: { elements: [{ app: 'cache' }] } }] } }],
      { metadata: { name: '{{ .app }}-{{ .name }}-kafka-{{ .values.kafka }}-redis-{{ .values.redis }}' } },
      true,
    );
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      applications.map((a) => a.metadata.name),
      ['cache-staging-kafka-true-redis-false', 'cache-production-kafka-true-redis-true'],
    );
  });

  it('skips, with a note, what the controller refuses: three matrix children, duplicate merge keys, conflicting keys', async () => {
    const list = (elements: unknown[]) => ({ list: { elements } });
    const three = await expand([{ matrix: { generators: [list([]), list([]), list([])] } }], {});
    const duplicate = await expand(
      [{ merge: { mergeKeys: ['server'], generators: [list([STAGING, STAGING]), list([STAGING])] } }],
      {},
    );
    const conflict = await expand([{ matrix: { generators: [list([STAGING]), list([PRODUCTION])] } }], {});
    assert.deepEqual(
      [...three.skipped, ...duplicate.skipped, ...conflict.skipped],
      [
        'ApplicationSet argocd/addons: generator 0 matrix needs exactly two child generators, it has 3: skipped',
        `ApplicationSet argocd/addons: generator 0 merge child 0 holds two parameter sets with the same merge keys {"server":"${STAGING.server}"}: skipped`,
        `ApplicationSet argocd/addons: generator 0 matrix: found duplicate key name with different value, a: staging ,b: production: skipped`,
      ],
    );
  });
});
