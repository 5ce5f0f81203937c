// schema/config.schema.json: written out from the option table, and agreeing with the parser
// on what a valid kube-drift.yaml is (checked with ajv against examples).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/settings/config-file.ts';
import { configSchema } from '../../../src/settings/config-schema.ts';
import { OPTIONS } from '../../../src/settings/options.ts';
import { REPO_ROOT } from '../../support/cluster.ts';

const committed = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/config.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(committed);

const VALID: Record<string, string> = {
  'the example of the issue': readFileSync(join(REPO_ROOT, 'test/fixtures/config/kube-drift.yaml'), 'utf8'),
  'helm, ignore rules and flat settings': `defaults:
  concurrency: 8
  takeover-managers: [kubectl*, helm]
targets:
  - name: web
    paths: charts/web
    source: helm
    helm: { release-name: web, values: [values-prod.yaml], set: [replicas=3] }
    ignore:
      - paths: [/spec/replicas]
        target: { kind: Deployment }
    diff-mode: auto
    remediate: true
`,
};

const INVALID: Record<string, string> = {
  'an unknown key': 'targets:\n  - name: a\n    namespce: web\n',
  'a choice not offered': 'targets:\n  - name: a\n    source: helmfile\n',
  'a string for a number': 'targets:\n  - name: a\n    concurrency: many\n',
  'a target without a name': 'targets:\n  - paths: [a]\n',
  'no targets': 'targets: []\n',
  'a kubeconfig neither env nor file': 'targets:\n  - name: a\n    kubeconfig: { secret: X }\n',
  'a kubeconfig with both env and file': 'targets:\n  - name: a\n    kubeconfig: { env: A, file: b }\n',
  'an unknown key under remediate': 'targets:\n  - name: a\n    remediate: { max-delete: 3 }\n',
  'a name in defaults': 'defaults:\n  name: a\ntargets:\n  - name: b\n',
  'a secret in the file': 'targets:\n  - name: a\n    github-token: ghp_x\n',
};

describe('config schema', () => {
  it('is the one the option table makes (regenerate it with node tools/config-schema.ts when options change)', () => {
    assert.deepEqual(committed, configSchema());
  });

  it('has a key for every option a target may set, with the option kind', () => {
    const settings = committed.properties.targets.items.properties;
    assert.equal(settings.concurrency.type, 'integer');
    assert.equal(settings.prune.type, 'boolean');
    assert.deepEqual(settings['diff-mode'].enum, OPTIONS.find((o) => o.name === 'diff-mode')!.choices);
    for (const secret of ['github-token', 'sops-age-key', 'sops-pgp-key', 'webhook-url'])
      assert.equal(settings[secret], undefined, secret);
  });

  for (const [name, text] of Object.entries(VALID)) {
    it(`accepts ${name}, as the parser does`, () => {
      assert.ok(validate(parse(text)), JSON.stringify(validate.errors));
      assert.ok(parseConfig(text, 'kube-drift.yaml', '/repo').targets.length > 0);
    });
  }

  for (const [name, text] of Object.entries(INVALID)) {
    it(`refuses ${name}, as the parser does`, () => {
      assert.equal(validate(parse(text)), false);
      assert.throws(
        () => parseConfig(text, 'kube-drift.yaml', '/repo'),
        /^InputError: kube-drift\.yaml:\d+: /,
      );
    });
  }
});
