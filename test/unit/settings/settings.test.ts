import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { InputError } from '../../../src/errors.ts';
import { decodeInline } from '../../../src/kube/kubeconfig.ts';
import { OPTIONS, parseSettings } from '../../../src/settings.ts';

const cli = { repoRoot: '/repo', isAction: false };
const action = { repoRoot: '/repo', isAction: true };

describe('parseSettings', () => {
  it('applies defaults', () => {
    const s = parseSettings('diff', {}, cli);
    assert.deepEqual(s.paths, ['.']);
    assert.equal(s.target, 'default');
    assert.equal(s.namespace, 'default');
    assert.equal(s.concurrency, 16);
    assert.equal(s.diffMode, 'server');
    assert.equal(s.failOnDrift, true);
    assert.equal(s.remediation.remediate, false);
    assert.equal(s.remediation.prune, false);
    assert.equal(s.fieldManager, 'kube-drift');
  });

  it('takes take-over managers as a list (default kubectl*, before-first-apply, helm), refusing controllers', () => {
    assert.deepEqual(parseSettings('diff', {}, cli).takeoverManagers, [
      'kubectl*',
      'before-first-apply',
      'helm',
    ]);
    assert.deepEqual(
      parseSettings('diff', { 'takeover-managers': 'kubectl*\nhelm, ci-script' }, action).takeoverManagers,
      ['kubectl*', 'helm', 'ci-script'],
    );
    assert.deepEqual(
      parseSettings('diff', { 'takeover-managers': ['kubectl*,helm', 'Terraform'] }, cli).takeoverManagers,
      ['kubectl*', 'helm', 'Terraform'],
    );
    assert.throws(
      () => parseSettings('diff', { 'takeover-managers': 'helm,helm-controller' }, action),
      (e: unknown) =>
        e instanceof InputError &&
        e.message ===
          'input "takeover-managers": "helm-controller" is a controller; kube-drift does not take over controllers (add an ignore rule for the fields it owns)',
    );
    assert.throws(
      () => parseSettings('diff', { 'takeover-managers': ['*'] }, cli),
      /--takeover-managers: "\*" would take over every manager/,
    );
  });

  it('takes paths from newline or comma lists in the action, relative to the workspace', () => {
    const s = parseSettings('diff', { path: 'apps\n infra, /repo/clusters/prod ' }, action);
    assert.deepEqual(s.paths, ['apps', 'infra', 'clusters/prod']);
  });

  it('treats the action kubeconfig input as content unless it is a path', () => {
    assert.deepEqual(
      parseSettings('diff', { kubeconfig: 'apiVersion: v1\nclusters: []' }, action).kubeconfig.inline,
      'apiVersion: v1\nclusters: []',
    );
    assert.equal(
      parseSettings('diff', { kubeconfig: '.cluster/kubeconfig' }, action).kubeconfig.path,
      '/repo/.cluster/kubeconfig',
    );
  });

  it('the apply command always remediates; diff never does', () => {
    assert.equal(parseSettings('apply', {}, cli).remediation.remediate, true);
    assert.equal(parseSettings('diff', { remediate: 'true' }, cli).remediation.remediate, false);
    assert.equal(parseSettings('diff', { remediate: 'true' }, action).remediation.remediate, true);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    [
      'a number out of range',
      { concurrency: '0' },
      /--concurrency must be a whole number from 1 to 256, not "0"/,
    ],
    ['a word for a number', { concurrency: 'many' }, /--concurrency must be a whole number/],
    [
      'an unknown choice',
      { 'diff-mode': 'fast' },
      /--diff-mode must be one of server, client, auto, not "fast"/,
    ],
    ['a bad boolean', { 'fail-on-drift': 'maybe' }, /--fail-on-drift must be true or false, not "maybe"/],
    [
      'a target that is no label value',
      { target: 'prod cluster' },
      /--target "prod cluster" must be a label value/,
    ],
  ];
  for (const [what, raw, message] of bad) {
    it(`rejects ${what}, quoting the value`, () => {
      assert.throws(
        () => parseSettings('diff', raw, cli),
        (e: unknown) => e instanceof InputError && message.test(e.message),
      );
    });
  }

  it('refuses prune on the default target, asking for an explicit target', () => {
    const refusals: [string, Record<string, string>, typeof cli, RegExp][] = [
      ['apply', { prune: 'true' }, cli, /--prune needs an explicit --target: the default name "default"/],
      [
        'diff',
        { remediate: 'true', prune: 'true' },
        action,
        /input "prune" needs an explicit input "target"/,
      ],
      ['apply', { prune: 'true', target: 'default' }, cli, /--prune needs an explicit --target/],
    ];
    for (const [command, raw, context, message] of refusals) {
      assert.throws(
        () => parseSettings(command as 'apply' | 'diff', raw, context),
        (e: unknown) => e instanceof InputError && message.test(e.message),
        JSON.stringify(raw),
      );
    }
    // A preview prunes nothing, and a named target may prune.
    assert.equal(parseSettings('diff', { prune: 'true' }, action).remediation.prune, true);
    assert.equal(
      parseSettings('apply', { prune: 'true', target: 'production' }, cli).remediation.prune,
      true,
    );
  });

  it('takes an explicit owner, and leaves it to the repository by default', () => {
    assert.equal(parseSettings('apply', {}, cli).owner, undefined);
    assert.equal(parseSettings('apply', { owner: ' team-payments ' }, cli).owner, 'team-payments');
  });

  it('names inputs as inputs in the action', () => {
    assert.throws(
      () => parseSettings('diff', { concurrency: 'x' }, action),
      /input "concurrency" must be a whole number/,
    );
  });
});

describe('what the run knows before parsing', () => {
  const pr = { ...action, pullRequestBase: 'abc123', reportDir: '/runner/temp' };
  const cases: {
    name: string;
    raw: Record<string, string>;
    context: Parameters<typeof parseSettings>[2];
    base?: string;
    reportFile?: string;
  }[] = [
    {
      name: 'a pull request previews against its base',
      raw: {},
      context: pr,
      base: 'abc123',
      reportFile: '/runner/temp/kube-drift-default.json',
    },
    {
      name: 'three-way off: no base, even on a pull request',
      raw: { 'three-way': 'off' },
      context: pr,
      reportFile: '/runner/temp/kube-drift-default.json',
    },
    {
      name: 'a base given wins over the pull request',
      raw: { base: 'origin/main' },
      context: pr,
      base: 'origin/main',
      reportFile: '/runner/temp/kube-drift-default.json',
    },
    {
      name: 'report-file given wins over the runner directory',
      raw: { 'report-file': 'out.json', target: 'prod' },
      context: pr,
      base: 'abc123',
      reportFile: 'out.json',
    },
    {
      name: 'the report goes next to the runner with the target in its name',
      raw: { target: 'prod' },
      context: { ...action, reportDir: '/tmp' },
      reportFile: '/tmp/kube-drift-prod.json',
    },
    {
      name: 'the CLI writes no report unless asked',
      raw: {},
      context: { ...cli, pullRequestBase: 'abc123', reportDir: '/tmp' },
      base: 'abc123',
    },
  ];
  it('leaves nothing to change afterwards: the settings are frozen all the way down', () => {
    const s = parseSettings('apply', { target: 'prod', ignore: '- paths: [/data/a]' }, pr);
    assert.throws(() => {
      (s as { base?: string }).base = 'other';
    }, TypeError);
    assert.throws(() => s.paths.push('more'), TypeError);
    assert.throws(() => {
      s.remediation.prune = true;
    }, TypeError);
    assert.throws(() => s.ignoreRules[0].paths.push('/data/b'), TypeError);
    assert.equal(s.base, 'abc123');
  });

  for (const c of cases) {
    it(c.name, () => {
      const s = parseSettings('diff', c.raw, c.context);
      assert.equal(s.base, c.base);
      assert.equal(s.reportFile, c.reportFile);
    });
  }
});

describe('action.yml', () => {
  const actionYml = parse(readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8'));

  it('declares exactly the options that apply to the action, with the same defaults', () => {
    const expected = OPTIONS.filter((o) => o.scope !== 'cli');
    assert.deepEqual(Object.keys(actionYml.inputs).sort(), expected.map((o) => o.name).sort());
    for (const o of expected) {
      assert.equal(actionYml.inputs[o.name].default, o.default, `default of ${o.name}`);
      assert.ok(actionYml.inputs[o.name].description, `description of ${o.name}`);
    }
  });

  it('runs dist/index.js on node24', () => {
    assert.equal(actionYml.runs.using, 'node24');
    assert.equal(actionYml.runs.main, 'dist/index.js');
  });
});

describe('decodeInline', () => {
  const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n';
  it('accepts plain YAML and base64 of it', () => {
    assert.equal(decodeInline(kubeconfig), kubeconfig.trim());
    assert.equal(decodeInline(Buffer.from(kubeconfig).toString('base64')), kubeconfig);
  });
  it('rejects content that is neither, without echoing it', () => {
    assert.throws(
      () => decodeInline('not-a-kubeconfig-s3cr3t'),
      (e: unknown) =>
        e instanceof InputError &&
        /neither kubeconfig YAML nor base64/.test(e.message) &&
        !e.message.includes('s3cr3t'),
    );
  });
});
