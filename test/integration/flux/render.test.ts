// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flux variables in plain strings are the subject under test
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { renderFlux } from '../../../src/render/flux/index.ts';
import { findTool, lookupTool } from '../../../src/render/tools.ts';

const fixture = resolve(import.meta.dirname, '../../fixtures/flux/production');

test('production fixture: groups in dependsOn order, substitution, commonMetadata, checkout untouched', async () => {
  const before = readdirSync(join(fixture, 'infrastructure')).sort();
  const result = await renderFlux({ repoRoot: fixture, paths: ['clusters/production'], offline: true });
  assert.deepEqual(readdirSync(join(fixture, 'infrastructure')).sort(), before);
  assert.deepEqual(
    result.groups.map((group) => group.name),
    [
      'Kustomization flux-system/flux-system',
      'Kustomization flux-system/infrastructure',
      'Kustomization flux-system/apps',
      'HelmRelease podinfo/hello',
    ],
  );
  const deployment = result.objects.find((o) => o.object.kind === 'Deployment');
  assert.equal(deployment?.group, 'Kustomization flux-system/apps');
  assert.deepEqual(deployment?.object.metadata.annotations, {
    cluster: 'production',
    region: 'eu-west-1',
    'shell-home': '${HOME}',
  });
  assert.deepEqual(deployment?.object.metadata.labels, { team: 'platform' });
  assert.equal((deployment?.object.spec as { replicas: unknown } | undefined)?.replicas, 2);
  const literal = result.objects.find((o) => o.object.metadata.name === 'literal');
  assert.deepEqual(literal?.object.data, { script: 'echo ${cluster}' });

  // Everything else equals plain `kubectl kustomize` of the same path.
  const kubectl = lookupTool('kubectl');
  assert.ok(kubectl);
  const plain = parseAllDocuments(
    execFileSync(kubectl, ['kustomize', join(fixture, 'apps/production')], { encoding: 'utf8' }),
  )
    .map((doc) => doc.toJS())
    .filter((object) => object.kind !== 'Deployment' && object.metadata.name !== 'literal');
  for (const object of plain) {
    const ours = result.objects.find(
      (o) => o.object.kind === object.kind && o.object.metadata.name === object.metadata.name,
    );
    object.metadata.labels = { ...object.metadata.labels, team: 'platform' };
    assert.deepEqual(ours?.object, object);
  }
});

test('HelmRelease from a chart in the repository, values from a ConfigMap with targetPath', async () => {
  // helm is built by tools/cluster/build.sh; a missing helm fails this test (findTool says how to get it).
  findTool('helm');
  const result = await renderFlux({ repoRoot: fixture, paths: ['clusters/production'], offline: true });
  assert.deepEqual(result.errors, []);
  const greeting = result.objects.find((o) => o.group === 'HelmRelease podinfo/hello');
  assert.deepEqual(greeting?.object.metadata, {
    name: 'hello-greeting',
    namespace: 'podinfo',
    labels: { 'helm.toolkit.fluxcd.io/name': 'hello', 'helm.toolkit.fluxcd.io/namespace': 'podinfo' },
  });
  assert.deepEqual(greeting?.object.data, { greeting: 'from-configmap', color: 'green', replicas: '3' });
});

test('a dependsOn cycle is an error for each Kustomization in it, naming the cycle', async () => {
  const repo = mkdtempSync(join(tmpdir(), 'flux-cycle-'));
  const ks = (name: string, dep: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ./\n  dependsOn:\n    - name: ${dep}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;
  writeFileSync(join(repo, 'ks.yaml'), `${ks('a', 'b')}---\n${ks('b', 'a')}`);
  const result = await renderFlux({ repoRoot: repo, paths: ['.'] });
  assert.deepEqual(
    result.errors.map((error) => error.message),
    [
      'dependsOn cycle: Kustomization flux-system/a → Kustomization flux-system/b → Kustomization flux-system/a',
      'dependsOn cycle: Kustomization flux-system/a → Kustomization flux-system/b → Kustomization flux-system/a',
    ],
  );
});
