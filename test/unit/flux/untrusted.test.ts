// The stand-in comparisons that keep decrypted values out of objects other than Secrets on
// untrusted runs: what counts as made from decrypted data, and what is shown instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { DesiredObject } from '../../../src/model.ts';
import {
  carriedByGenerators,
  compareReleaseRenders,
  compareSubstituted,
  standInFile,
  standInText,
  standInValue,
} from '../../../src/render/flux/untrusted.ts';

const doc = (object: Record<string, unknown>) => `${JSON.stringify(object)}\n`;
const configMap = (name: string, data: Record<string, string>) =>
  doc({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' }, data });
const secret = (name: string, data: Record<string, string>) =>
  doc({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'apps' }, data });

describe('stand-ins', () => {
  it('differ at every character and in length, whatever transform picks from them', () => {
    const [a, b] = [standInText(0), standInText(1)];
    assert.notEqual(a.length, b.length);
    for (const pick of [
      (s: string) => s.slice(0, 1),
      (s: string) => s.toUpperCase(),
      (s: string) => `${s.length}`,
    ])
      assert.notEqual(pick(a), pick(b));
  });

  for (const [name, text, check] of [
    ['a scalar', 'hunter2', (out: string) => assert.equal(out, standInText(0))],
    [
      'a YAML map keeps its keys and types',
      'password: hunter2\nport: 5432\ntls: true\n',
      (out: string) => assert.deepEqual(parse(out), { password: standInText(0), port: 1111111, tls: true }),
    ],
  ] as const) {
    it(`standInValue: ${name}`, () => check(standInValue(text, 0)));
  }

  it('a dotenv file keeps its keys', () => {
    const out = standInFile(Buffer.from('USER=app\n# note\nPASSWORD=hunter2\n'), 'dotenv', 1).toString();
    assert.equal(out, `USER=${standInText(1)}\n# note\nPASSWORD=${standInText(1)}\n`);
  });
});

describe('compareSubstituted', () => {
  const note = 'uses values decrypted from Secret/flux-system/vars: not compared on an untrusted run';
  it('keeps what does not change, keeps Secrets, and replaces other changed objects by their identity', () => {
    const real = [
      configMap('plain', { a: 'x' }),
      configMap('prefix', { p: 'hunt' }),
      secret('s', { v: 'aHVudGVy' }),
    ];
    const standIns = [0, 1].map((which) => [
      real[0],
      configMap('prefix', { p: standInText(which as 0 | 1).slice(0, 4) }),
      secret('s', { v: String(which) }),
    ]);
    const outcome = compareSubstituted(real, standIns, note);
    assert.equal(outcome.documents[0], real[0]);
    assert.deepEqual(JSON.parse(outcome.documents[1]), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'prefix', namespace: 'apps' },
    });
    assert.equal(outcome.documents[2], real[2]);
    assert.deepEqual([...outcome.notCompared], ['ConfigMap/apps/prefix']);
    assert.deepEqual(outcome.derivedSecrets, [2]);
  });

  it('refuses an object named after a decrypted value, and a Flux object that takes one', () => {
    assert.throws(
      () =>
        compareSubstituted(
          [configMap('hunter2', {})],
          [[configMap('qqqq', {})], [configMap('zzzz', {})]],
          note,
        ),
      /kind, name or namespace is made from values decrypted with SOPS/,
    );
    const release = (value: string) =>
      doc({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'r' },
        spec: { values: { v: value } },
      });
    assert.throws(
      () => compareSubstituted([release('hunter2')], [[release('q')], [release('z')]], note),
      /^Error: HelmRelease\/r uses values decrypted from Secret\/flux-system\/vars: .*render it on a trusted run$/,
    );
  });
});

describe('carriedByGenerators', () => {
  it('names the objects a replacement filled from a generated Secret, not those that only name it', () => {
    const build = (hash: string, value: string) => [
      secret(`creds-${hash}`, { password: value }),
      configMap('copy', { copied: value }),
      // Refers to the generated Secret by its hashed name, which changes with the content.
      doc({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'apps' },
        spec: { secret: `creds-${hash}` },
      }),
    ];
    const outcome = carriedByGenerators(build('aaaaaaaaaa', 'real'), [
      build('bbbbbbbbbb', 'qq'),
      build('cccccccccc', 'zz'),
    ]);
    assert.deepEqual(outcome, { carried: ['ConfigMap/apps/copy'], derivedSecrets: [0] });
  });
});

describe('compareReleaseRenders', () => {
  const note = 'uses values decrypted from Secret/apps/values: not compared on an untrusted run';
  const object = (kind: string, name: string, data: Record<string, string>): DesiredObject => ({
    object: {
      apiVersion: 'v1',
      kind,
      metadata: { name, namespace: 'apps' },
      data,
    } as DesiredObject['object'],
    source: { file: 'charts/app/Chart.yaml', line: 1 },
    group: 'HelmRelease apps/app',
  });
  const render = (password: string) => [
    object('ConfigMap', 'loud', { password: password.toUpperCase() }),
    object('ConfigMap', 'quiet', { greeting: 'hello' }),
    object('Secret', 'secret', { password }),
  ];

  it('shows only the identity of what changes with the values, and why', () => {
    const out = compareReleaseRenders(
      render('hunter2'),
      [render(standInText(0)), render(standInText(1))],
      note,
    );
    assert.deepEqual(out[0].object, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'loud', namespace: 'apps' },
    });
    assert.equal(out[0].notCompared, note);
    assert.equal(out[1].notCompared, undefined);
    assert.equal((out[2].object as { data?: Record<string, string> }).data?.password, 'hunter2');
    assert.ok(!JSON.stringify(out.filter((d) => d.object.kind !== 'Secret')).includes('HUNTER2'));
  });

  it('refuses objects whose names depend on the values', () => {
    const named = (password: string) => [object('ConfigMap', password.slice(0, 3), {})];
    assert.throws(
      () => compareReleaseRenders(named('hunter2'), [named('qqq'), named('zzz')], note),
      /names objects after values decrypted with SOPS/,
    );
  });
});
