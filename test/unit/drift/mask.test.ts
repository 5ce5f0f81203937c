import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { maskSecrets } from '../../../src/drift/mask.ts';
import type { KubeObject } from '../../../src/model.ts';
import { Redactor, WHOLE_WORD_BELOW, yamlDoubleQuoted } from '../../../src/redaction.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const secret = (data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop' },
  type: 'Opaque',
  data,
  ...extra,
});

test('maskSecrets: same values ***, changed and one-sided values marked before/after', () => {
  const live = secret({ user: b64('admin'), password: b64('hunter2'), gone: b64('old') });
  const predicted = secret({ user: b64('admin'), password: b64('correct horse'), added: b64('new') });
  const masked = maskSecrets(live, predicted);
  assert.deepEqual(masked.live?.data, { user: '***', password: '*** (before)', gone: '*** (before)' });
  assert.deepEqual(masked.predicted?.data, { user: '***', password: '*** (after)', added: '*** (after)' });
  assert.equal(
    live.data && (live.data as Record<string, string>).password,
    b64('hunter2'),
    'input untouched',
  );
  assert.equal(masked.live?.type, 'Opaque');
});

test('maskSecrets: created or deleted Secrets are plain ***, stringData too', () => {
  const created = maskSecrets(null, secret({ a: b64('x') }, { stringData: { token: 'abc' } }));
  assert.equal(created.live, null);
  assert.deepEqual(created.predicted?.data, { a: '***' });
  assert.deepEqual(created.predicted?.stringData, { token: '***' });
  const deleted = maskSecrets(secret({ a: b64('x') }), null);
  assert.deepEqual(deleted.live?.data, { a: '***' });
});

test('maskSecrets: masks inside last-applied-configuration, and hides it whole when unreadable', () => {
  const applied = (password: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      data: { password: b64(password) },
      stringData: { extra: password },
    });
  const live = secret(
    { password: b64('hunter2') },
    { metadata: { name: 'db', annotations: { [LAST_APPLIED]: applied('hunter2') } } },
  );
  const predicted = secret(
    { password: b64('hunter3') },
    { metadata: { name: 'db', annotations: { [LAST_APPLIED]: applied('hunter3') } } },
  );
  const masked = maskSecrets(live, predicted);
  assert.deepEqual(JSON.parse(masked.live!.metadata.annotations![LAST_APPLIED]), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db' },
    data: { password: '*** (before)' },
    stringData: { extra: '*** (before)' },
  });
  assert.equal(
    JSON.parse(masked.predicted!.metadata.annotations![LAST_APPLIED]).data.password,
    '*** (after)',
  );
  const broken = secret(
    {},
    { metadata: { name: 'db', annotations: { [LAST_APPLIED]: '{"data":{"password":"aHVudGVy' } } },
  );
  assert.equal(maskSecrets(broken, null).live!.metadata.annotations![LAST_APPLIED], '***');
});

test('maskSecrets: other kinds, and Secret kinds of other groups, are returned as they are', () => {
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c' },
    data: { a: 'visible' },
  };
  const custom: KubeObject = {
    apiVersion: 'example.com/v1',
    kind: 'Secret',
    metadata: { name: 'c' },
    data: { a: 'visible' },
  };
  const masked = maskSecrets(configMap, custom);
  assert.equal(masked.live, configMap);
  assert.equal(masked.predicted, custom);
});

test('property: no Secret value, raw or base64, survives in the JSON of masked output', () => {
  const value = fc.uint8Array({ minLength: 6, maxLength: 40 });
  const keys = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9._-]{0,10}$/), { maxLength: 6 });
  fc.assert(
    fc.property(
      keys,
      fc.array(value, { minLength: 6, maxLength: 6 }),
      fc.array(value, { minLength: 6, maxLength: 6 }),
      fc.boolean(),
      (names, a, b, withApplied) => {
        const liveData = Object.fromEntries(names.map((k, i) => [k, Buffer.from(a[i]).toString('base64')]));
        const predictedData = Object.fromEntries(
          names.map((k, i) => [k, Buffer.from(i % 2 ? a[i] : b[i]).toString('base64')]),
        );
        const stringData = Object.fromEntries(
          names.map((k, i) => [k, `plain-${Buffer.from(b[i]).toString('hex')}`]),
        );
        const annotations = withApplied
          ? { [LAST_APPLIED]: JSON.stringify({ data: liveData, stringData }) }
          : undefined;
        const live = secret(liveData, { stringData, metadata: { name: 'db', annotations } });
        const predicted = secret(predictedData);
        const json = JSON.stringify(maskSecrets(live, predicted));
        for (const v of [
          ...Object.values(liveData),
          ...Object.values(predictedData),
          ...Object.values(stringData),
        ]) {
          assert.ok(!json.includes(v), `leaked ${v}`);
        }
      },
    ),
  );
});

test('Redactor: raw, base64, decoded, JSON-escaped and long lines of multi-line values', () => {
  const redactor = new Redactor();
  const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----';
  redactor.addSecretObject(
    secret(
      {
        password: b64('hunter2-long'),
        key: b64(key),
        bin: Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64'),
      },
      { stringData: { token: 'tok-12345' } },
    ),
  );
  const cases: [string, string][] = [
    ['password=hunter2-long;', 'password=***;'],
    [`raw ${b64('hunter2-long')}`, 'raw ***'],
    [`stringData as data: ${b64('tok-12345')} and tok-12345`, 'stringData as data: *** and ***'],
    [JSON.stringify({ key }), '{"key":"***"}'],
    ['  key: |\n    MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n', '  key: |\n    ***\n'],
    ['nothing secret here', 'nothing secret here'],
  ];
  for (const [input, output] of cases) assert.equal(redactor.redact(input), output, input);
});

test('Redactor: longest value first, short values ignored', () => {
  const redactor = new Redactor();
  redactor.add('abcd');
  redactor.add('abcdefgh');
  redactor.add('xyz');
  assert.equal(redactor.redact('abcdefgh abcd xyz'), '*** *** xyz');
  assert.equal(new Redactor().redact('abc'), 'abc');
});

test('Redactor: thousands of values in one pass', () => {
  const redactor = new Redactor();
  const values = Array.from(
    { length: 5000 },
    (_, i) => `secret-${i.toString(36)}-${(i * 7919).toString(16)}`,
  );
  for (const v of values) redactor.add(v);
  const text = values.map((v, i) => `line ${i}: ${v}`).join('\n');
  const redacted = redactor.redact(text);
  assert.equal(redacted.split('\n')[4999], 'line 4999: ***');
  for (const v of values) assert.ok(!redacted.includes(v));
});

test('property: no registered value survives redaction', () => {
  const secretText = fc.stringMatching(/^[a-z]{4,16}$/);
  const filler = fc.stringMatching(/^[0-9 ]{0,5}$/);
  fc.assert(
    fc.property(
      fc.array(secretText, { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(filler, fc.nat()), { maxLength: 20 }),
      (secrets, parts) => {
        const redactor = new Redactor();
        for (const s of secrets) redactor.add(s);
        const text = parts.map(([f, i]) => f + secrets[i % secrets.length]).join('');
        const redacted = redactor.redact(text);
        for (const s of secrets) {
          // Long values nowhere; short ones (WHOLE_WORD_BELOW) nowhere as a word of their own.
          const survives =
            s.length >= WHOLE_WORD_BELOW
              ? redacted.includes(s)
              : new RegExp(`(?<![A-Za-z0-9])${s}(?![A-Za-z0-9])`).test(redacted);
          assert.ok(!survives, `${s} in ${redacted}`);
        }
      },
    ),
  );
});

test('Redactor: masks each leaf of a values.yaml or dotenv file kept in a Secret, not booleans', () => {
  const redactor = new Redactor();
  const valuesYaml = 'auth:\n  password: hunter2-long\n  enabled: true\nreplicas: 12345\n';
  const dotenv = 'DB_PASSWORD="pa55-word"\nexport TOKEN=abcd-efgh\n';
  redactor.addSecretObject({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'values' },
    data: { 'values.yaml': Buffer.from(valuesYaml).toString('base64') },
    stringData: { '.env': dotenv },
  });
  assert.equal(
    redactor.redact('password=hunter2-long pw=pa55-word token=abcd-efgh n=12345 enabled=true'),
    'password=*** pw=*** token=*** n=*** enabled=true',
  );
});

test('Redactor: short values are masked as whole words, long ones anywhere', () => {
  const redactor = new Redactor();
  redactor.add('changed');
  redactor.add('s3cretLongValue');
  assert.equal(
    redactor.redact('"action": "unchanged" pw=changed:changed x-s3cretLongValue-y As3cretLongValueB'),
    '"action": "unchanged" pw=***:*** x-***-y A***B',
  );
});

test('property: values of any characters (non-ASCII, astral, punctuation) are masked among any text', () => {
  // The scan passes over positions whose first two characters start no value: this checks it never passes over one that does.
  const value = fc
    .string({ unit: 'grapheme', minLength: WHOLE_WORD_BELOW, maxLength: 20 })
    .filter((s) => !s.includes('*'));
  const filler = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes('*'));
  fc.assert(
    fc.property(
      fc.array(value, { minLength: 1, maxLength: 6 }),
      fc.array(filler, { maxLength: 8 }),
      (values, fillers) => {
        const redactor = new Redactor();
        for (const v of values) redactor.add(v);
        const text = fillers.map((f, i) => f + values[i % values.length]).join('') + values[0];
        const redacted = redactor.redact(text);
        for (const v of values)
          assert.ok(!redacted.includes(v), `${JSON.stringify(v)} in ${JSON.stringify(redacted)}`);
      },
    ),
    { numRuns: 500 },
  );
});

test('Redactor: a Secret value of megabytes is registered and masked', () => {
  const redactor = new Redactor();
  const value = `${'k'.repeat(20 * 2 ** 20)}-end`;
  redactor.addSecretObject({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'big' },
    stringData: { v: value },
  });
  assert.equal(redactor.redact(`before ${value} after`), 'before *** after');
});

test('Redactor: a Secret value that is a YAML or JSON keyword (true, null, ...) is not masked in reports', () => {
  const redactor = new Redactor();
  for (const value of ['true', 'False', 'null', 'yes', 'off']) redactor.addValue(value);
  redactor.addValue('s3cr3t-token');
  const json = '{"driftDetected": true, "note": null, "token": "s3cr3t-token", "flag": false}';
  const out = redactor.redact(json);
  assert.equal(out, '{"driftDetected": true, "note": null, "token": "***", "flag": false}');
  assert.doesNotThrow(() => JSON.parse(out));
});

test('property: the YAML double-quoted form is what js-yaml writes, with or without its short cut', () => {
  const dumped = (v: string) =>
    dump(v, { quoteStyle: 'double', forceQuotes: true, lineWidth: -1 }).trimEnd().slice(1, -1);
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ maxLength: 80 })), (value) => {
      assert.equal(yamlDoubleQuoted(value), dumped(value));
    }),
    { numRuns: 3000 },
  );
  for (const value of [
    'plain ascii 0-9 ~!@#$%^&*()',
    'with "quote"',
    'back\\slash',
    'tab\there',
    'caf\u00e9',
  ])
    assert.equal(yamlDoubleQuoted(value), dumped(value));
});
