// The pure parts of the Argo CD source: repository URLs, globs, kustomize options, ApplicationSet
// parameters, destinations, ignoreDifferences and the annotations that keep an object from prune.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { argoManaged, argoPruneSkip } from '../../../src/drift/argocd-optouts.ts';
import { IgnoreRuleSet } from '../../../src/drift/ignore-match.ts';
import { trackedBy, trackedRefs } from '../../../src/kube/argocd-tracked.ts';
import { fillTemplate, flatten, pathParams } from '../../../src/render/argocd/applicationset.ts';
import { argoDriftSettings, ignoreDifferencesRules } from '../../../src/render/argocd/drift-settings.ts';
import { globMatch } from '../../../src/render/argocd/glob.ts';
import { destinationSkip } from '../../../src/render/argocd/index.ts';
import { imageOverride, overlayKustomization } from '../../../src/render/argocd/kustomize-overlay.ts';
import { argoRepos, normalizeRepoUrl, parseRepoMapping } from '../../../src/render/argocd/repos.ts';
import { explicitType, valueFilePath } from '../../../src/render/argocd/source.ts';
import type { Application, ArgoGroup } from '../../../src/render/argocd/types.ts';

describe('Argo CD repository URLs', () => {
  it('normalizes https, scp-like and ssh URLs of one repository to the same text', () => {
    const urls = [
      'https://github.com/Example/GitOps.git',
      'https://github.com/example/gitops',
      'https://github.com/example/gitops/',
      'git@github.com:example/gitops.git',
      'ssh://git@github.com/example/gitops.git',
      'ssh://git@github.com:22/example/gitops',
      'https://user@github.com/example/gitops.git',
    ];
    assert.deepEqual([...new Set(urls.map(normalizeRepoUrl))], ['github.com/example/gitops']);
    assert.notEqual(normalizeRepoUrl('https://github.com/example/gitops-old'), 'github.com/example/gitops');
  });

  it('maps url=dir lines to absolute directories, and names a malformed line', () => {
    const mapping = parseRepoMapping(['https://git.example.com/a/b.git=deploy/b'], '/repo');
    assert.deepEqual([...mapping], [['git.example.com/a/b', '/repo/deploy/b']]);
    assert.throws(
      () => parseRepoMapping(['https://git.example.com/a/b.git'], '/repo'),
      /argocd-repos: .* must be url=directory/,
    );
  });
});

describe('the checkout as an Argo CD repository', () => {
  it('stands for its Git remotes, and a base commit’s files stand for the same remotes', () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'kube-drift-argocd-remotes-')));
    try {
      const checkout = join(root, 'checkout');
      mkdirSync(join(checkout, 'deploy'), { recursive: true });
      execFileSync('git', ['init', '-q', checkout]);
      execFileSync('git', ['-C', checkout, 'remote', 'add', 'origin', 'git@github.com:Example/Deploy.git']);
      const head = argoRepos(join(checkout, 'deploy'), ['https://git.example.com/other.git=../other']);
      assert.deepEqual(
        [...head],
        [
          ['github.com/example/deploy', checkout],
          ['git.example.com/other', join(checkout, 'other')],
        ],
      );
      const base = join(root, 'base');
      const three = argoRepos(join(base, 'deploy'), [], { of: join(checkout, 'deploy'), root: base });
      assert.deepEqual([...three], [['github.com/example/deploy', base]]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Argo CD globs', () => {
  const cases: [pattern: string, path: string, segments: boolean, match: boolean][] = [
    ['*.yaml', 'a.yaml', false, true],
    ['*.yaml', 'sub/a.yaml', false, true], // gobwas without separators: * crosses /
    ['{config.json,env-usw2/*}', 'env-usw2/x.yaml', false, true],
    ['{config.json,env-usw2/*}', 'config.yaml', false, false],
    ['extra/ignored-*.yaml', 'extra/ignored-draft.yaml', false, true],
    ['platform/*', 'platform/ingress', true, true],
    ['platform/*', 'platform/ingress/sub', true, false], // path.Match: * stays in a segment
    ['[ab].yaml', 'b.yaml', false, true],
    ['[!ab].yaml', 'b.yaml', false, false],
  ];
  for (const [pattern, path, segments, match] of cases)
    it(`${pattern} ${match ? 'matches' : 'does not match'} ${path}${segments ? ' (segments)' : ''}`, () => {
      assert.equal(globMatch(pattern, path, segments), match);
    });
});

describe('Argo CD kustomize options', () => {
  it('reads images as kustomize edit set image does', () => {
    assert.deepEqual(imageOverride('registry.example.com/worker:2.1.0'), {
      name: 'registry.example.com/worker',
      newTag: '2.1.0',
    });
    assert.deepEqual(imageOverride('nginx=registry.example.com/nginx:1.27'), {
      name: 'nginx',
      newName: 'registry.example.com/nginx',
      newTag: '1.27',
    });
    assert.deepEqual(imageOverride('localhost:5000/app@sha256:abc'), {
      name: 'localhost:5000/app',
      digest: 'sha256:abc',
    });
  });

  it('writes an overlay pointing at the path with each option', () => {
    const overlay = overlayKustomization(
      {
        namePrefix: 'prod-',
        nameSuffix: '-v2',
        namespace: 'jobs',
        commonLabels: { tier: 'batch' },
        commonAnnotations: { team: 'data' },
        images: ['worker:2'],
        components: ['../../components/tls'],
        replicas: [{ name: 'worker', count: '3' }],
        patches: [{ target: { kind: 'Deployment' }, patch: '- op: remove\n  path: /spec/replicas' }],
      },
      'apps/worker',
      '../..',
      '/unused',
    );
    assert.deepEqual(overlay, {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../../apps/worker'],
      namePrefix: 'prod-',
      nameSuffix: '-v2',
      namespace: 'jobs',
      commonLabels: { tier: 'batch' },
      commonAnnotations: { team: 'data' },
      images: [{ name: 'worker', newTag: '2' }],
      replicas: [{ name: 'worker', count: 3 }],
      components: ['../../components/tls'],
      patches: [{ target: { kind: 'Deployment' }, patch: '- op: remove\n  path: /spec/replicas' }],
    });
  });
});

describe('ApplicationSet parameters', () => {
  it('gives a directory its path parameters', () => {
    assert.deepEqual(pathParams('platform/Ingress_Controller'), {
      path: 'platform/Ingress_Controller',
      'path.basename': 'Ingress_Controller',
      'path.basenameNormalized': 'ingress-controller',
      'path[0]': 'platform',
      'path[1]': 'Ingress_Controller',
    });
  });

  it('fills {{param}} tags as fasttemplate does, leaving unknown ones as written', () => {
    const params = flatten({ cluster: 'prod', values: { region: 'eu' } });
    assert.deepEqual(params, { cluster: 'prod', 'values.region': 'eu' });
    assert.equal(fillTemplate('{{cluster}}-{{ values.region }}-{{missing}}', params), 'prod-eu-{{missing}}');
  });
});

describe('Argo CD source types and value files', () => {
  it('takes the type the Application names when it names exactly one', () => {
    assert.equal(explicitType({ directory: { recurse: true } }), 'plain');
    assert.equal(explicitType({ helm: {} }), 'helm');
    assert.equal(explicitType({ kustomize: { namePrefix: 'a-' } }), 'kustomize');
    assert.equal(explicitType({ helm: {}, kustomize: {} }), undefined);
    assert.equal(explicitType({}), undefined);
  });

  it('finds value files beside the chart, or in the repository of a $ref source', () => {
    const refs = new Map([['values', '/repos/values']]);
    assert.equal(
      valueFilePath('values-prod.yaml', '/repos/charts/app', refs),
      '/repos/charts/app/values-prod.yaml',
    );
    assert.equal(
      valueFilePath('$values/envs/prod.yaml', '/repos/charts/app', refs),
      '/repos/values/envs/prod.yaml',
    );
    assert.equal(valueFilePath('$other/envs/prod.yaml', '/repos/charts/app', refs), undefined);
  });
});

describe('Argo CD destinations', () => {
  const app = (destination: object) => ({ spec: { destination } }) as unknown as Application;
  it('renders in-cluster and mapped destinations, skips others with a reason', () => {
    assert.equal(destinationSkip(app({ server: 'https://kubernetes.default.svc' })), undefined);
    assert.equal(destinationSkip(app({ name: 'in-cluster' })), undefined);
    assert.equal(destinationSkip(app({ name: 'staging' }), ['staging']), undefined);
    assert.equal(
      destinationSkip(app({ server: 'https://edge.example.com' })),
      'its destination is server https://edge.example.com, not this cluster (name it in argocd-clusters if it is)',
    );
  });
});

describe('Argo CD rules', () => {
  it('turns ignoreDifferences jsonPointers and managedFieldsManagers into ignore rules, jq into a note', () => {
    const { rules, managed, notes } = ignoreDifferencesRules(
      [
        { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
        { kind: 'ConfigMap', name: 'web.settings', jsonPointers: ['/data/tuning'] },
        { group: 'apps', kind: 'Deployment', managedFieldsManagers: ['kube-controller-manager'] },
        { group: '*', kind: '*', jqPathExpressions: ['.metadata.labels'] },
      ],
      'Application argocd/web spec.ignoreDifferences',
    );
    assert.deepEqual(rules, [
      { paths: ['/spec/replicas'], target: { group: 'apps', kind: 'Deployment' } },
      { paths: ['/data/tuning'], target: { group: '', kind: 'ConfigMap', name: 'web\\.settings' } },
    ]);
    assert.deepEqual(managed, [
      { paths: [], target: { group: 'apps', kind: 'Deployment' }, managers: ['kube-controller-manager'] },
    ]);
    assert.deepEqual(notes, [
      'Application argocd/web spec.ignoreDifferences: jqPathExpressions for */* are not applied by kube-drift (jsonPointers and managedFieldsManagers are)',
    ]);
  });

  it('ignores the fields a managedFieldsManagers manager owns in the live object', () => {
    const [rule] = ignoreDifferencesRules(
      [{ kind: 'ConfigMap', managedFieldsManagers: ['tuner'] }],
      'Application argocd/web spec.ignoreDifferences',
    ).managed;
    const live = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'web-settings',
        managedFields: [
          { manager: 'argocd-controller', operation: 'Apply', fieldsV1: { 'f:data': { 'f:greeting': {} } } },
          { manager: 'tuner', operation: 'Update', fieldsV1: { 'f:data': { 'f:tuning': {} } } },
        ],
      },
      data: { greeting: 'hello', tuning: 'fast' },
    };
    assert.deepEqual(new IgnoreRuleSet([rule]).pathsFor(live as never), ['/data/tuning']);
    assert.deepEqual(new IgnoreRuleSet([rule]).pathsFor({ ...live, kind: 'Secret' } as never), []);
  });

  it('leaves correcting an Application’s objects to Argo CD unless argocd-remediate', () => {
    const group: ArgoGroup = {
      name: 'Application argocd/web',
      namespace: 'argocd',
      objectName: 'web',
      syncOptions: [],
      from: { file: 'apps/web.yaml', line: 1 },
    };
    const skipped = { ...group, name: 'Application argocd/edge', skipped: 'elsewhere' };
    assert.deepEqual(
      [...argoDriftSettings([group, skipped], false).reportOnlyGroups],
      [
        [
          'Application argocd/web',
          'not corrected: managed by Argo CD Application argocd/web (set argocd-remediate: true to let kube-drift apply it)',
        ],
      ],
    );
    assert.equal(argoDriftSettings([group], true).reportOnlyGroups.size, 0);
    const bad = argoDriftSettings(
      [{ ...group, ignoreDifferences: [{ kind: 'X', jsonPointers: ['spec'] }] }],
      false,
    );
    assert.equal(bad.errors.length, 1);
    assert.match(bad.errors[0].message, /^Application argocd\/web spec\.ignoreDifferences: rule 0/);
  });

  it('keeps objects with Prune=false or IgnoreExtraneous from the prune preview', () => {
    const object = (annotations: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', annotations },
    });
    assert.equal(
      argoPruneSkip(object({ 'argocd.argoproj.io/sync-options': 'Prune=false' })),
      'annotation argocd.argoproj.io/sync-options: Prune=false',
    );
    assert.equal(
      argoPruneSkip(
        object({ 'argocd.argoproj.io/compare-options': 'ServerSideDiff=true, IgnoreExtraneous' }),
      ),
      'annotation argocd.argoproj.io/compare-options: IgnoreExtraneous',
    );
    assert.equal(argoPruneSkip(object({})), undefined);
  });

  it('reads what an Application tracks from its status.resources', () => {
    const status = {
      resources: [
        { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web' },
        { version: 'v1', kind: 'Namespace', name: 'web' },
        { kind: 'ConfigMap' },
      ],
    };
    assert.deepEqual(trackedRefs(status), [
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web' },
      { group: '', version: 'v1', kind: 'Namespace', namespace: null, name: 'web' },
    ]);
    assert.deepEqual(trackedRefs(undefined), []);
  });

  it('tells whose a tracking annotation is: the Application by name, or namespace_name', () => {
    const app = { namespace: 'apps', name: 'web' };
    assert.equal(trackedBy('web:apps/Deployment:web/web', app), true);
    assert.equal(trackedBy('apps_web:/ConfigMap:web/x', app), true);
    assert.equal(trackedBy('webber:/ConfigMap:web/x', app), false);
    assert.equal(trackedBy('other_web:/ConfigMap:web/x', app), false);
    assert.equal(trackedBy(undefined, app), false);
  });

  it('names the Application a live object’s tracking annotation says manages it', () => {
    const object = (id?: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'x',
        annotations: (id ? { 'argocd.argoproj.io/tracking-id': id } : {}) as Record<string, string>,
      },
    });
    assert.equal(
      argoManaged(object('web:/ConfigMap:web/x')),
      'not corrected: managed by Argo CD Application web (annotation argocd.argoproj.io/tracking-id; set argocd-remediate: true to let kube-drift apply it)',
    );
    assert.match(argoManaged(object('apps_web:/ConfigMap:web/x')) ?? '', /Application apps\/web /);
    assert.equal(argoManaged(object()), undefined);
  });
});
