// ApplicationSets with goTemplate: Go templates with Sprig, evaluated by Helm's engine, string by string.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ApplicationSetObject,
  expandApplicationSet,
} from '../../../src/render/argocd/applicationset.ts';

describe('ApplicationSet goTemplate', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'kube-drift-gotemplate-'));
    for (const dir of ['repo/clusters/eu-west', 'repo/clusters/us_east'])
      mkdirSync(join(root, dir), { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const appset = (generators: unknown[], template: unknown): ApplicationSetObject =>
    ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'fleet', namespace: 'argocd' },
      spec: { goTemplate: true, generators, template },
    }) as ApplicationSetObject;

  it('fills list elements and git directories with Go templates and Sprig functions', async () => {
    const template = {
      metadata: { name: '{{ .path.basenameNormalized }}-{{ index .path.segments 0 }}' },
      spec: {
        source: { repoURL: 'https://git.example.com/fleet.git', path: '{{ .path.path }}' },
        destination: { name: 'in-cluster', namespace: '{{ .path.basename | upper | replace "_" "-" }}' },
      },
    };
    const repos = new Map([['git.example.com/fleet', join(root, 'repo')]]);
    const git = [
      { git: { repoURL: 'https://git.example.com/fleet.git', directories: [{ path: 'clusters/*' }] } },
    ];
    const { applications, skipped } = await expandApplicationSet(
      appset(git, template),
      repos,
      join(root, 'a'),
    );
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      applications.map((a) => [
        a.metadata.name,
        a.metadata.namespace,
        a.spec?.source?.path,
        a.spec?.destination?.namespace,
      ]),
      [
        ['eu-west-clusters', 'argocd', 'clusters/eu-west', 'EU-WEST'],
        ['us-east-clusters', 'argocd', 'clusters/us_east', 'US-EAST'],
      ],
    );
    const list = [{ list: { elements: [{ cluster: 'prod', replicas: 3 }] } }];
    const listed = await expandApplicationSet(
      appset(list, { metadata: { name: '{{ .cluster }}-{{ add .replicas 1 }}' }, spec: {} }),
      repos,
      join(root, 'b'),
    );
    assert.deepEqual(
      listed.applications.map((a) => a.metadata.name),
      ['prod-4'],
    );
  });

  it('skips an ApplicationSet whose template does not evaluate, with Helm’s message', async () => {
    const list = [{ list: { elements: [{ cluster: 'prod' }] } }];
    const { applications, skipped } = await expandApplicationSet(
      appset(list, { metadata: { name: '{{ .cluster | nosuchfunction }}' } }),
      new Map(),
      join(root, 'c'),
    );
    assert.deepEqual(applications, []);
    assert.equal(skipped.length, 1);
    assert.match(
      skipped[0],
      /^ApplicationSet argocd\/fleet: its goTemplate does not evaluate: .*nosuchfunction/s,
    );
  });

  it('fills a git files generator’s parameters (file content and path) with fasttemplate', async () => {
    const { writeFileSync } = await import('node:fs');
    mkdirSync(join(root, 'repo/envs/prod'), { recursive: true });
    writeFileSync(
      join(root, 'repo/envs/prod/config.json'),
      '{"cluster": {"name": "prod-eu", "replicas": 3}}',
    );
    const files = [
      { git: { repoURL: 'https://git.example.com/fleet.git', files: [{ path: 'envs/*/config.json' }] } },
    ];
    const template = {
      metadata: { name: '{{cluster.name}}-{{path.basename}}' },
      spec: {
        source: { path: '{{path}}' },
        destination: { namespace: '{{cluster.replicas}}-{{path.filename}}' },
      },
    };
    const set = { ...appset(files, template), spec: { generators: files, template } } as ApplicationSetObject;
    const repos = new Map([['git.example.com/fleet', join(root, 'repo')]]);
    const { applications } = await expandApplicationSet(set, repos, join(root, 'd'));
    assert.deepEqual(
      applications.map((a) => [a.metadata.name, a.spec?.source?.path, a.spec?.destination?.namespace]),
      [['prod-eu-prod', 'envs/prod', '3-config.json']],
    );
  });
});
