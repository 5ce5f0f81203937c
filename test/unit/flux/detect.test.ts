import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  findFluxKustomizations,
  inferFluxRoot,
  isFluxPath,
  relativeTo,
} from '../../../src/render/flux/detect.ts';

const fixture = resolve(import.meta.dirname, '../../fixtures/flux/production');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'flux-detect-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const KS = (name: string, path: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ${path}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;

test('a path is a Flux path when its YAML holds kustomize.toolkit.fluxcd.io Kustomizations', () => {
  const root = tree({
    'fleet/clusters/prod/apps.yaml': KS('apps', './apps'),
    'plain/deploy.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
    // A kustomize.config.k8s.io Kustomization is not Flux's.
    'kustomize/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
    // Mentions the group but is another kind; and a chart template that is not YAML until rendered.
    'other/hr.yaml':
      'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: x\n# kustomize.toolkit.fluxcd.io/ssa: Ignore\n',
    'chart/templates/ks.yaml':
      '{{- if .Values.x }}\napiVersion: kustomize.toolkit.fluxcd.io/v1\n{{- end }}\n',
    // CI configs and other hidden directories are never read, as in the plain walk.
    'ci/.github/workflows/flux.yml': KS('from-ci', './apps'),
  });
  const cases: [string, boolean][] = [
    ['fleet/clusters/prod', true],
    ['fleet', true],
    ['fleet/clusters/prod/apps.yaml', true],
    ['plain', false],
    ['kustomize', false],
    ['other', false],
    ['chart', false],
    ['ci', false],
    ['missing', false],
  ];
  for (const [path, want] of cases) assert.equal(isFluxPath(join(root, path)), want, path);
  assert.equal(isFluxPath(join(fixture, 'clusters/production')), true);
  assert.deepEqual(
    findFluxKustomizations(join(fixture, 'clusters/production'))
      .map((k) => `${k.namespace}/${k.name} ${k.path}`)
      .sort(),
    [
      'flux-system/apps ./apps/production',
      'flux-system/flux-system ./clusters/production',
      'flux-system/infrastructure ./infrastructure',
    ],
  );
});

test("the Flux root: where the bootstrap Kustomization's path points back at the given path", () => {
  const root = tree({
    'fleet/clusters/prod/flux-system/gotk-sync.yaml': KS('flux-system', './clusters/prod'),
    'solo/clusters/prod/apps.yaml': KS('apps', './apps'),
  });
  assert.equal(inferFluxRoot(root, 'fleet/clusters/prod'), join(root, 'fleet'));
  assert.equal(inferFluxRoot(root, './fleet/clusters/prod/'), join(root, 'fleet'));
  // No Kustomization points at the path itself: paths are relative to the checkout.
  assert.equal(inferFluxRoot(root, 'solo/clusters/prod'), root);
  assert.equal(
    inferFluxRoot(resolve(fixture, '../../../..'), 'test/fixtures/flux/production/clusters/production'),
    fixture,
  );
  assert.equal(relativeTo(root, join(root, 'fleet'), 'fleet/clusters/prod'), 'clusters/prod');
  assert.equal(relativeTo(root, join(root, 'fleet'), 'fleet'), '.');
});
