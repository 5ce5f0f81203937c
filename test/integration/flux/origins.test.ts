// Provenance of objects Flux Kustomizations build: the file and line a user edits (through
// bases and generators), from kustomize's own origin annotations, which are then left out of
// the objects unless the Kustomization asks Flux to apply them (`spec.buildMetadata`, Flux 2.9).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DesiredObject } from '../../../src/model.ts';
import { renderFlux } from '../../../src/render/flux/index.ts';
import { ORIGIN_ANNOTATION } from '../../../src/render/kustomize-origin-annotations.ts';
import { REPO_ROOT } from '../../support/cluster.ts';

const FIXTURE = 'test/fixtures/flux/production';

function find(objects: DesiredObject[], kind: string, name: string): DesiredObject {
  const found = objects.find((o) => o.object.kind === kind && o.object.metadata.name === name);
  assert.ok(found, `no ${kind}/${name}`);
  return found;
}

describe('Flux Kustomization objects name the file and line they are written in', () => {
  let copy: string;
  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'flux-origins-'));
    cpSync(join(REPO_ROOT, FIXTURE), copy, { recursive: true });
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('points through overlays and bases at the document, and drops the annotation', async () => {
    const { objects, errors } = await renderFlux({
      repoRoot: REPO_ROOT,
      paths: [`${FIXTURE}/clusters/production`],
    });
    assert.deepEqual(errors, []);
    const at = (kind: string, name: string) => {
      const { source } = find(objects, kind, name);
      return `${source.file}:${source.line}`;
    };
    // apps/production's kustomization lists ../base/podinfo, whose kustomization lists the file.
    assert.equal(at('Deployment', 'podinfo'), `${FIXTURE}/apps/base/podinfo/deployment.yaml:1`);
    // The second document of a file.
    assert.equal(at('ConfigMap', 'cluster-vars'), `${FIXTURE}/infrastructure/namespaces.yaml:6`);
    assert.equal(at('HelmRelease', 'hello'), `${FIXTURE}/apps/production/hello-release.yaml:1`);
    for (const { object } of objects)
      assert.equal(object.metadata.annotations?.[ORIGIN_ANNOTATION], undefined, object.metadata.name);
  });

  it('keeps the annotation when spec.buildMetadata asks Flux to apply it, and names a generator', async () => {
    const apps = join(copy, 'clusters/production/apps.yaml');
    writeFileSync(
      apps,
      readFileSync(apps, 'utf8').replace(
        '  prune: true\n',
        '  prune: true\n  buildMetadata: [originAnnotations]\n',
      ),
    );
    const kustomization = join(copy, 'apps/production/kustomization.yaml');
    writeFileSync(
      kustomization,
      `${readFileSync(kustomization, 'utf8')}configMapGenerator:\n  - name: generated\n    literals: [mode=fast]\n`,
    );
    const { objects, errors } = await renderFlux({ repoRoot: copy, paths: ['clusters/production'] });
    assert.deepEqual(errors, []);
    const deployment = find(objects, 'Deployment', 'podinfo');
    assert.equal(
      deployment.object.metadata.annotations?.[ORIGIN_ANNOTATION],
      'path: ../base/podinfo/deployment.yaml\n',
    );
    assert.deepEqual(deployment.source, { file: 'apps/base/podinfo/deployment.yaml', line: 1 });
    const generated = objects.find((o) => o.object.metadata.name.startsWith('generated-'));
    assert.ok(generated);
    assert.deepEqual(generated.source, { file: 'apps/production/kustomization.yaml', line: 8 });
    // Objects of Kustomizations that do not ask keep no annotation.
    assert.equal(find(objects, 'ConfigMap', 'cluster-vars').object.metadata.annotations, undefined);
  });
});
