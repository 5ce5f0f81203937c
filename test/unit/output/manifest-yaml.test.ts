import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { manifestYaml } from '../../../src/output/manifest-yaml.ts';
import { Redactor, WHOLE_WORD_BELOW } from '../../../src/redaction.ts';
import { carefulManifests } from '../../../src/render/manifests.ts';

// What kubectl would read back from `kube-drift render`: the careful parser reads YAML as kubectl does.
const readBack = (yaml: string) => {
  const parsed = carefulManifests(yaml, 'render.yaml', {});
  assert.deepEqual(parsed.problems, []);
  return parsed.objects[0]?.object;
};

test('strings that YAML 1.1 reads as booleans, numbers or times stay strings', () => {
  const data = {
    a: 'yes',
    b: 'on',
    c: 'y',
    d: 'n',
    e: '1:20',
    f: '0644',
    g: '0x1F',
    h: '~',
    i: '',
    j: '2024-01-02',
  };
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flags' }, data };
  const yaml = manifestYaml(object);
  assert.match(yaml, /^ {2}a: "yes"$/m);
  assert.deepEqual(readBack(yaml), object);
});

test('property: any object reads back the same, as kubectl reads YAML', () => {
  const hazard = fc.constantFrom(
    'yes',
    'No',
    'on',
    'OFF',
    'y',
    'n',
    '~',
    'null',
    '1:20',
    '0644',
    '0b101',
    '1e3',
    '.inf',
    '- x',
    'a: b',
    '#x',
    ' pad ',
    'tab\there',
    'multi\nline\n',
    '=',
    '"q"',
    "'s'",
  );
  // The reference parser reads numbers without digits (`.`, `E0`, `-._e5`) as NaN, the yaml
  // package's 1.1 rule; go-yaml reads them as strings. Those are not compared.
  const noDigits = (s: string) => /^[-+]?[._]*(?:[eE][-+]?[0-9]+)?$/.test(s) && /[.eE]/.test(s);
  const text = fc.oneof(hazard, fc.string(), fc.string({ unit: 'grapheme' })).filter((s) => !noDigits(s));
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      tie('list'),
      tie('map'),
    ),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(text, tie('node'), { maxKeys: 4, noNullPrototype: true }),
  })).node;
  fc.assert(
    fc.property(fc.dictionary(text, value, { maxKeys: 6, noNullPrototype: true }), (data) => {
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data };
      assert.deepEqual(readBack(manifestYaml(object)), object);
    }),
    { numRuns: 1000 },
  );
});

test('property: a Secret value inside any other object is masked in the YAML, whatever escapes it needs', () => {
  // Single-line values (multi-line ones are masked by their long lines, see src/redaction.ts).
  const value = fc
    .string({ unit: 'binary', minLength: WHOLE_WORD_BELOW, maxLength: 24 })
    .filter((s) => !/[\r\n*]/.test(s) && s.trim().length >= WHOLE_WORD_BELOW);
  const specials = fc.constantFrom(
    '\u001b',
    '\u00a0',
    '\u2028',
    '\u2029',
    '\u0085',
    '\t',
    '"',
    '\\',
    '\u0000',
    '\ufeff',
  );
  fc.assert(
    fc.property(value, specials, fc.nat(), (base, special, at) => {
      const secret = base.slice(0, at % base.length) + special + base.slice(at % base.length);
      const redactor = new Redactor();
      redactor.addSecretObject({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        stringData: { k: secret },
      });
      const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: secret } };
      const printed = redactor.redact(manifestYaml(configMap));
      // `k: ***` reads as an alias: a word in its place lets the parser say what a reader sees.
      const shown = readBack(printed.replaceAll('***', 'MASKED'))?.data as Record<string, string>;
      assert.ok(!shown.k.includes(secret), `${JSON.stringify(secret)} printed as ${JSON.stringify(printed)}`);
    }),
    { numRuns: 1000 },
  );
});

test('an object with a string of megabytes prints as JSON, which YAML reads the same', () => {
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'huge' },
    data: { blob: 'x'.repeat(20 * 2 ** 20) },
  };
  const printed = manifestYaml(object);
  assert.deepEqual(JSON.parse(printed), object);
});
