// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flux variables in plain strings are the subject under test
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SubstitutionError, substitute } from '../../../src/render/flux/envsubst.ts';
import { splitDocuments, substituteDocuments } from '../../../src/render/flux/kustomization.ts';

const vars = { cluster: 'prod', empty: '', name: 'Podinfo', region: 'eu-west-1' };

test('substitutes as Flux envsubst does', () => {
  const cases: [string, string][] = [
    ['${cluster}', 'prod'],
    ['a-${cluster}-b', 'a-prod-b'],
    ['$cluster', '$cluster'], // only braced variables
    ['${missing}', ''],
    ['${missing:=fallback}', 'fallback'],
    ['${missing=fallback}', 'fallback'],
    ['${missing:-fallback}', 'fallback'],
    ['${empty:=fallback}', 'fallback'],
    ['${cluster:=fallback}', 'prod'],
    ['${missing:=${region}}', 'eu-west-1'],
    ['${missing:=a b:c}', 'a b:c'],
    ['$${cluster}', '${cluster}'],
    ['cost: $$5', 'cost: $5'],
    ['$$$${cluster}', '$${cluster}'],
    ['${name,,}', 'podinfo'],
    ['${name^^}', 'PODINFO'],
    ['${#region}', '9'],
    ['${region:3}', 'west-1'],
    ['${region:3:4}', 'west'],
    ['${region%-*}', 'eu-west'],
    ['${region%%-*}', 'eu'],
    ['${region#*-}', 'west-1'],
    ['${region/-/_}', 'eu_west-1'],
    ['${region//-/_}', 'eu_west_1'],
  ];
  for (const [input, expected] of cases) assert.equal(substitute(input, vars), expected, input);
});

test('strict mode fails only on a plain variable that is not set', () => {
  assert.throws(() => substitute('${missing}', vars, true), /variable not set \(strict mode\): "missing"/);
  assert.equal(substitute('${missing:=ok}', vars, true), 'ok');
  assert.equal(substitute('${empty}', vars, true), '');
});

test('malformed expressions are errors', () => {
  for (const input of ['${cluster', '${}', '${cluster-x}']) {
    assert.throws(() => substitute(input, vars), SubstitutionError, input);
  }
});

test('documents: no variables means no substitution; the disabled annotation or label opts out', () => {
  const text = [
    'kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: ${v:=d} $${v}\n',
    'kind: ConfigMap\nmetadata:\n  name: b\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  x: ${v}\n',
    'kind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  x: ${v}\n',
  ].join('---\n');
  const docs = splitDocuments(text);
  assert.deepEqual(substituteDocuments(docs, {}, false), docs);
  const out = substituteDocuments(docs, { v: 'line1\nline2' }, false);
  assert.match(out[0], /x: line1line2 \$\{v\}/);
  assert.match(out[1], /x: \$\{v\}/);
  assert.match(out[2], /x: \$\{v\}/);
  assert.throws(
    () => substituteDocuments(docs, { 'bad-name': 'x' }, false),
    /'bad-name' var name is invalid/,
  );
});

test('substituteStrategy (Flux 2.9): WithVariables skips a build with no variables, Always substitutes defaults', () => {
  const doc =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  region: ${region:=eu-west-1}\n';
  assert.deepEqual(substituteDocuments([doc], {}, true), [doc]);
  assert.deepEqual(substituteDocuments([doc], {}, true, true), [
    doc.replace('${region:=eu-west-1}', 'eu-west-1'),
  ]);
  // Strict, as Flux 2.9 by default: a plain variable nobody sets is an error even under Always.
  assert.throws(() => substituteDocuments(['a: ${cluster}\n'], {}, true, true), /variable not set/);
});
