import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultIgnoreRules } from '../../../src/drift/default-ignores.ts';
import {
  applyIgnore,
  type IgnoreRule,
  ignoreRulesOf,
  isSkipped,
  parseIgnoreRules,
  WHOLE_OBJECT,
} from '../../../src/drift/ignore.ts';
import { IgnoreRuleSet, rulesFor } from '../../../src/drift/ignore-match.ts';
import { matchesSelector, parseLabelSelector } from '../../../src/drift/selector.ts';
import { InputError } from '../../../src/errors.ts';
import type { KubeObject } from '../../../src/model.ts';
import { valueAt } from './helpers.ts';

const web: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web', tier: 'front' },
    annotations: { owner: 'team-a' },
  },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1' },
        ],
      },
    },
  },
};

test('parseIgnoreRules reads YAML lists, JSON and {rules: [...]}', () => {
  const yaml = parseIgnoreRules(
    '- paths: ["/spec/replicas"]\n  target: {kind: Deployment, name: "web-.*"}\n',
    'ignore.yaml',
  );
  assert.deepEqual(yaml, [{ paths: ['/spec/replicas'], target: { kind: 'Deployment', name: 'web-.*' } }]);
  const json = parseIgnoreRules('{"rules":[{"paths":["/data/a~1b"]}]}', 'input ignore-rules');
  assert.deepEqual(json, [{ paths: ['/data/a~1b'] }]);
  assert.deepEqual(parseIgnoreRules('', 'empty.yaml'), []);
});

test('parseIgnoreRules errors name the origin, the rule and the bad part', () => {
  const table: [string, RegExp][] = [
    [
      '- paths: ["/ok"]\n- paths: ["spec/replicas"]',
      /^ignore\.yaml: rule 1: path "spec\/replicas" is not a JSON pointer: a JSON pointer must start with "\/"/,
    ],
    ['- paths: ["/a~2b"]', /rule 0: path "\/a~2b" is not a JSON pointer: "~" must be followed by 0 or 1/],
    [
      '- paths: ["/a"]\n  target: {name: "web-["}',
      /rule 0: target\.name "web-\[" is not a regular expression/,
    ],
    [
      '- paths: ["/a"]\n  target: {labelSelector: "app in (a,b"}',
      /rule 0: target\.labelSelector "app in \(a,b": unbalanced "\("/,
    ],
    [
      '- paths: ["/a"]\n  target: {annotationSelector: "a=b,,c"}',
      /rule 0: target\.annotationSelector "a=b,,c": empty requirement/,
    ],
    [
      '- paths: ["/a"]\n  target: {labelSelector: "-bad-=x"}',
      /"-bad-" in "-bad-=x" is not a valid label or annotation key/,
    ],
    ['- target: {kind: Deployment}', /rule 0: "paths" must be a non-empty list/],
    ['- paths: ["/a"]\n  targets: {}', /rule 0: unknown field "targets"/],
    ['- paths: ["/a"]\n  target: {knd: X}', /rule 0: unknown field "target\.knd"/],
    ['paths: ["/a"]', /must be a list of \{paths, target\}/],
    ['- [unclosed', /not valid YAML or JSON/],
  ];
  for (const [text, message] of table) {
    assert.throws(
      () => parseIgnoreRules(text, 'ignore.yaml'),
      (error: unknown) =>
        error instanceof InputError && message.test(error.message) && error.file === 'ignore.yaml',
      text,
    );
  }
});

test('label selectors: Kubernetes syntax', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  const table: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=web,tier=back', false],
    ['tier in (front, back)', true],
    ['tier notin (front)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing,env in (prod,stage),app', true],
    ['missing!=x', true],
  ];
  for (const [selector, expected] of table)
    assert.equal(matchesSelector(parseLabelSelector(selector), labels), expected, selector);
  assert.equal(matchesSelector(parseLabelSelector('app'), undefined), false);
});

test('rulesFor selects by group, version, kind, name, namespace (anchored regexes) and selectors', () => {
  const rule = (target: IgnoreRule['target'], path = '/spec/replicas'): IgnoreRule => ({
    paths: [path],
    target,
  });
  const table: [IgnoreRule['target'], boolean][] = [
    [undefined, true],
    [{ kind: 'Deployment' }, true],
    [{ kind: 'Deploy' }, false],
    [{ kind: 'Deployment|StatefulSet' }, true],
    [{ group: 'apps', version: 'v1' }, true],
    [{ group: '' }, false],
    [{ name: 'we' }, false],
    [{ name: 'w.*' }, true],
    [{ namespace: 'shop' }, true],
    [{ namespace: 'sho' }, false],
    [{ labelSelector: 'app=web' }, true],
    [{ labelSelector: 'app=api' }, false],
    [{ annotationSelector: 'owner in (team-a,team-b)' }, true],
    [{ annotationSelector: '!owner' }, false],
  ];
  for (const [target, expected] of table) {
    assert.deepEqual(
      rulesFor(web, [rule(target)]),
      expected ? ['/spec/replicas'] : [],
      JSON.stringify(target),
    );
  }
  const core: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  assert.deepEqual(rulesFor(core, [rule({ group: '', namespace: '' }, '/data/x')]), ['/data/x']);
  assert.deepEqual(rulesFor(web, [rule(undefined), rule({ kind: 'Deployment' }), rule(undefined, '/x')]), [
    '/spec/replicas',
    '/x',
  ]);
});

test('applyIgnore removes plain, escaped and wildcard pointers, and ignores missing ones', () => {
  const object: KubeObject = {
    ...web,
    metadata: { ...web.metadata, annotations: { 'example.com/at': '1', keep: 'y' } },
  };
  const result = applyIgnore(object, [
    '/spec/replicas',
    '/metadata/annotations/example.com~1at',
    '/spec/template/spec/containers/*/image',
    '/spec/does/not/exist',
    '/spec/template/spec/containers/7',
  ]);
  assert.deepEqual(result.spec, { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } });
  assert.deepEqual(result.metadata.annotations, { keep: 'y' });
  assert.equal((object.spec as { replicas: number }).replicas, 3, 'the input is not changed');
  assert.deepEqual(applyIgnore({ data: { a: 1, b: 2 }, x: 1 }, ['/data/*']), { data: {}, x: 1 });
  assert.deepEqual(applyIgnore({ list: [1, 2, 3] }, ['/list/*']), { list: [] });
});

test('property: applyIgnore leaves nothing at the ignored paths', () => {
  const key = fc.constantFrom('a', 'b', 'c/d', 'e~f');
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
  })).node;
  const path = fc
    .array(fc.constantFrom('a', 'b', 'c~1d', 'e~0f'), { minLength: 1, maxLength: 4 })
    .map((t) => `/${t.join('/')}`);
  fc.assert(
    fc.property(tree, fc.array(path, { maxLength: 5 }), (document, pointers) => {
      const result = applyIgnore(document, pointers);
      for (const pointer of pointers) assert.equal(valueAt(result, pointer), undefined, pointer);
    }),
  );
});

test('isSkipped honours kube-drift and Flux opt-outs', () => {
  const annotated = (annotations: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', annotations },
  });
  assert.equal(
    isSkipped(annotated({ 'kube-drift.dev/reconcile': 'disabled' })),
    'annotation kube-drift.dev/reconcile: disabled',
  );
  assert.equal(
    isSkipped(annotated({ 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled' })),
    'annotation kustomize.toolkit.fluxcd.io/reconcile: disabled',
  );
  assert.equal(isSkipped(annotated({ 'kube-drift.dev/reconcile': 'enabled' })), undefined);
  assert.equal(
    isSkipped({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { 'kube-drift.dev/reconcile': 'disabled' } },
    }),
    'label kube-drift.dev/reconcile: disabled',
  );
  assert.equal(isSkipped({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }), undefined);
});

test('defaultIgnoreRules: replicas of what an HPA or KEDA scales, injected CA bundles', () => {
  const hpa: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 5,
    },
  };
  const keda: KubeObject = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'q', namespace: 'jobs' },
    spec: { scaleTargetRef: { name: 'worker.v2' } },
  };
  const webhook: KubeObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'policy', annotations: { 'cert-manager.io/inject-ca-from': 'shop/ca' } },
    webhooks: [{ name: 'a', clientConfig: { caBundle: 'Cg==', service: { name: 's', namespace: 'shop' } } }],
  };
  const rules = defaultIgnoreRules([hpa, keda, webhook, web]);
  assert.equal(rules.length, 3);
  assert.deepEqual(rulesFor(web, rules), ['/spec/replicas']);
  assert.deepEqual(rulesFor({ ...web, metadata: { ...web.metadata, name: 'web2' } }, rules), []);
  assert.deepEqual(rulesFor({ ...web, metadata: { ...web.metadata, namespace: 'other' } }, rules), []);
  assert.deepEqual(rulesFor({ ...web, kind: 'StatefulSet' }, rules), []);
  const worker: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'worker.v2', namespace: 'jobs' },
  };
  assert.deepEqual(rulesFor(worker, rules), ['/spec/replicas']);
  assert.deepEqual(
    rulesFor({ ...worker, metadata: { name: 'workerxv2', namespace: 'jobs' } }, rules),
    [],
    'the name is matched literally',
  );
  const ignored = applyIgnore(webhook, rulesFor(webhook, rules));
  assert.deepEqual(ignored.webhooks, [
    { name: 'a', clientConfig: { service: { name: 's', namespace: 'shop' } } },
  ]);
});

test('rulesFor: literal-name rules and regex rules together keep rule order', () => {
  const rules: IgnoreRule[] = [
    { paths: ['/a'], target: { name: 'w.*' } },
    { paths: ['/b'], target: { name: 'web' } },
    { paths: ['/c'], target: { name: 'web\\.v2' } },
    { paths: ['/d'] },
    { paths: ['/e'], target: { name: 'web', kind: 'StatefulSet' } },
  ];
  assert.deepEqual(rulesFor(web, rules), ['/a', '/b', '/d']);
  assert.deepEqual(rulesFor({ ...web, metadata: { name: 'web.v2' } }, rules), ['/a', '/c', '/d']);
  assert.deepEqual(rulesFor({ ...web, metadata: { name: 'webxv2' } }, rules), ['/a', '/d']);
});

test('IgnoreRuleSet is compiled once: changing the rules afterwards does not change it', () => {
  const rules: IgnoreRule[] = [{ paths: ['/spec/replicas'], target: { name: 'web' } }];
  const set = new IgnoreRuleSet(rules);
  rules[0].paths.push('/metadata/labels');
  rules[0].target = { name: 'other' };
  rules.push({ paths: ['/x'] });
  assert.deepEqual(set.pathsFor(web), ['/spec/replicas']);
  assert.deepEqual(new IgnoreRuleSet(rules).pathsFor(web), ['/x']);
});

test('IgnoreRuleSet keeps a group rule with the whole-object path', () => {
  const rules = ignoreRulesOf([{ paths: [''], target: { kind: 'Deployment' } }], 'HelmRelease shop/web', {
    wholeObject: true,
  });
  assert.deepEqual(new IgnoreRuleSet(rules).pathsFor(web), [WHOLE_OBJECT]);
  assert.throws(() => ignoreRulesOf([{ paths: [''] }], 'ignore.yaml'), /it would remove the whole object/);
});
