// kube-drift.yaml parsing: what each target's settings become, and errors that name the
// file, the line and the key (table-driven, through the same parsing as action inputs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.ts';
import { parseConfig } from '../../../src/settings/config-file.ts';
import { REPO_ROOT } from '../../support/cluster.ts';

const REPO = '/repo';

/** The example of the fleets issue, kept once for the tests that read it. */
const ISSUE_EXAMPLE = readFileSync(join(REPO_ROOT, 'test/fixtures/config/kube-drift.yaml'), 'utf8');

describe('parseConfig: settings of each target', () => {
  it('reads the example of the issue: names, paths, kubeconfig, context, remediation', () => {
    const config = parseConfig(ISSUE_EXAMPLE, 'kube-drift.yaml', REPO);
    assert.equal(config.file, 'kube-drift.yaml');
    const [staging, production] = config.targets;
    assert.equal(staging.name, 'staging');
    assert.equal(staging.line, 5);
    assert.deepEqual(staging.settings.paths, ['clusters/staging']);
    assert.deepEqual(staging.kubeconfig, { env: 'KUBECONFIG_STAGING' });
    assert.equal(staging.settings.remediation.remediate, false);
    assert.equal(production.name, 'production');
    assert.equal(production.line, 8);
    assert.deepEqual(production.settings.paths, ['clusters/production', 'infra/production']);
    assert.deepEqual(production.kubeconfig, { file: '/run/secrets/prod-kubeconfig' });
    assert.equal(production.settings.kubeconfig.context, 'prod-admin');
    assert.deepEqual(
      [production.settings.remediation.remediate, production.settings.remediation.prune],
      [true, true],
    );
    assert.equal(production.settings.remediation.maxDeletions, 10);
    assert.equal(production.settings.remediation.wait, false);
  });

  const cases: Array<{ name: string; yaml: string; check: (t: ReturnType<typeof parseConfig>) => void }> = [
    {
      name: 'defaults apply, a target overrides them',
      yaml: 'defaults:\n  namespace: apps\n  concurrency: 4\ntargets:\n  - name: a\n  - name: b\n    namespace: web\n',
      check: ({ targets: [a, b] }) => {
        assert.deepEqual([a.settings.namespace, b.settings.namespace], ['apps', 'web']);
        assert.deepEqual([a.settings.concurrency, b.settings.concurrency], [4, 4]);
        assert.deepEqual(a.settings.paths, ['.']);
      },
    },
    {
      name: 'a kubeconfig in defaults is every target’s unless it names its own',
      yaml: 'defaults:\n  kubeconfig: { env: KUBE_ALL }\ntargets:\n  - name: a\n  - name: b\n    kubeconfig: { file: b.yaml }\n',
      check: ({ targets: [a, b] }) => {
        assert.deepEqual(a.kubeconfig, { env: 'KUBE_ALL' });
        assert.deepEqual(b.kubeconfig, { file: 'b.yaml' });
      },
    },
    {
      name: 'helm settings nested or flat',
      yaml: 'targets:\n  - name: a\n    helm: { release-name: web, namespace: web-ns, values: [v1.yaml, v2.yaml], set: [a=1] }\n  - name: b\n    helm-values: [x.yaml]\n',
      check: ({ targets: [a, b] }) => {
        assert.deepEqual(a.settings.helm, {
          releaseName: 'web',
          namespace: 'web-ns',
          valuesFiles: ['v1.yaml', 'v2.yaml'],
          set: ['a=1'],
        });
        assert.deepEqual(b.settings.helm.valuesFiles, ['x.yaml']);
      },
    },
    {
      name: 'remediate: true, and remediate: { wait } turns it on',
      yaml: 'targets:\n  - name: a\n    remediate: true\n  - name: b\n    remediate: { wait: true, timeout: 60 }\n  - name: c\n    remediate: false\n',
      check: ({ targets: [a, b, c] }) => {
        assert.equal(a.settings.remediation.remediate, true);
        assert.deepEqual([b.settings.remediation.remediate, b.settings.remediation.wait], [true, true]);
        assert.equal(b.settings.remediation.timeoutSeconds, 60);
        assert.equal(c.settings.remediation.remediate, false);
      },
    },
    {
      name: 'ignore rules inline, in Flux shape',
      yaml: 'targets:\n  - name: a\n    ignore:\n      - paths: [/spec/replicas]\n        target: { kind: Deployment }\n',
      check: ({ targets: [a] }) => {
        assert.deepEqual(a.settings.ignoreRules, [
          { paths: ['/spec/replicas'], target: { kind: 'Deployment' } },
        ]);
      },
    },
    {
      name: 'accepted risk findings as a list, shared from defaults',
      yaml: 'defaults:\n  accept-risk:\n    - { rule: exposure, object: "Service/*/web", reason: public by design }\ntargets:\n  - name: a\n',
      check: ({ targets: [a] }) => {
        assert.deepEqual(a.settings.risk.accepted, [
          { rule: 'exposure', object: 'Service/*/web', reason: 'public by design' },
        ]);
      },
    },
    {
      name: 'raw options keep the input form for later merging',
      yaml: 'targets:\n  - name: a\n    paths: [x, y]\n    prune: true\n',
      check: ({ targets: [a] }) => {
        assert.deepEqual(a.options, { target: 'a', path: ['x', 'y'], prune: 'true' });
      },
    },
  ];
  for (const c of cases) it(c.name, () => c.check(parseConfig(c.yaml, 'kube-drift.yaml', REPO)));
});

describe('parseConfig: errors name the file, line and key', () => {
  const cases: Array<{ name: string; yaml: string; message: RegExp; line: number }> = [
    {
      name: 'a number that is not one',
      yaml: ISSUE_EXAMPLE.replace('max-deletions: 10', 'max-deletions: ten'),
      message:
        /^kube-drift\.yaml:12: targets\[1\]\.remediate\.max-deletions must be a whole number from 0 to 1000000, not "ten"$/,
      line: 12,
    },
    {
      name: 'a choice not offered',
      yaml: 'defaults:\n  source: helmfile\ntargets:\n  - name: a\n',
      message:
        /^kube-drift\.yaml:2: defaults\.source must be one of auto, plain, kustomize, helm, flux, argocd, not "helmfile"$/,
      line: 2,
    },
    {
      name: 'an unknown key, with the near ones',
      yaml: 'targets:\n  - name: a\n    namespce: web\n',
      message: /^kube-drift\.yaml:3: targets\[0\]\.namespce is not a setting of kube-drift\.yaml$/,
      line: 3,
    },
    {
      name: 'an unknown key under remediate',
      yaml: 'targets:\n  - name: a\n    remediate:\n      prune: true\n      max-delete: 3\n',
      message:
        /^kube-drift\.yaml:5: targets\[0\]\.remediate\.max-delete is not a setting of targets\[0\]\.remediate$/,
      line: 5,
    },
    {
      name: 'a boolean that is not one',
      yaml: 'targets:\n  - name: a\n    wait: sometimes\n',
      message: /^kube-drift\.yaml:3: targets\[0\]\.wait must be true or false, not "sometimes"$/,
      line: 3,
    },
    {
      name: 'a map where one value belongs',
      yaml: 'targets:\n  - name: a\n    namespace: { name: web }\n',
      message: /^kube-drift\.yaml:3: targets\[0\]\.namespace must be a single value, not a list or map$/,
      line: 3,
    },
    {
      name: 'a target without a name',
      yaml: 'targets:\n  - paths: [a]\n',
      message: /^kube-drift\.yaml:2: targets\[0\] has no name$/,
      line: 2,
    },
    {
      name: 'a name that is not a label value',
      yaml: 'targets:\n  - name: a\n  - name: "prod cluster"\n',
      message: /^kube-drift\.yaml:3: targets\[1\]\.name "prod cluster" must be a label value/,
      line: 3,
    },
    {
      name: 'a name used twice',
      yaml: 'targets:\n  - name: a\n  - name: b\n  - name: a\n',
      message: /^kube-drift\.yaml:4: target name "a" is used twice \(first at line 2\)$/,
      line: 4,
    },
    {
      name: 'no targets',
      yaml: 'defaults:\n  namespace: a\ntargets: []\n',
      message: /^kube-drift\.yaml:3: targets must be a list with at least one target$/,
      line: 3,
    },
    {
      name: 'a kubeconfig neither env nor file',
      yaml: 'targets:\n  - name: a\n    kubeconfig: { secret: X }\n',
      message: /^kube-drift\.yaml:3: targets\[0\]\.kubeconfig must be one of \{ env \} or \{ file \}$/,
      line: 3,
    },
    {
      name: "a kubeconfig from the runner's own token",
      yaml: 'targets:\n  - name: a\n    kubeconfig:\n      env: GITHUB_TOKEN\n',
      message:
        /^kube-drift\.yaml:4: targets\[0\]\.kubeconfig\.env GITHUB_TOKEN is one of the runner's own variables/,
      line: 4,
    },
    {
      name: 'prune under the default target name',
      yaml: 'targets:\n  - name: default\n    remediate: { prune: true }\n',
      message:
        /^kube-drift\.yaml:3: targets\[0\]\.remediate\.prune needs an explicit kube-drift\.yaml:2: targets\[0\]\.name/,
      line: 0,
    },
    {
      name: 'a bad ignore rule',
      yaml: 'targets:\n  - name: a\n    ignore:\n      - paths: [spec/replicas]\n',
      message: /^kube-drift\.yaml:4: targets\[0\]\.ignore.*spec\/replicas/,
      line: 4,
    },
    {
      name: 'an accepted risk naming no rule the review has',
      yaml: 'targets:\n  - name: a\n    accept-risk:\n      - { rule: exposur, object: Service/web, reason: x }\n',
      message: /^kube-drift\.yaml:4: targets\[0\]\.accept-risk\[0\]: unknown rule "exposur"/,
      line: 4,
    },
    {
      name: 'YAML that does not parse',
      yaml: 'targets:\n  - name: a\n    paths: [x\n',
      message: /^kube-drift\.yaml:\d+: not valid YAML/,
      line: 0,
    },
    {
      name: 'a key given twice',
      yaml: 'targets:\n  - name: a\n    namespace: x\n    namespace: y\n',
      message: /^kube-drift\.yaml:4: not valid YAML: Map keys must be unique/,
      line: 4,
    },
    {
      name: 'an unknown top-level key',
      yaml: 'target:\n  - name: a\n',
      message: /^kube-drift\.yaml:1: target is not a setting of kube-drift\.yaml$/,
      line: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => parseConfig(c.yaml, 'kube-drift.yaml', REPO),
        (error: unknown) => {
          assert.ok(error instanceof InputError, String(error));
          assert.match(error.message, c.message);
          if (c.line > 0 && error.line !== undefined) assert.equal(error.line, c.line);
          return true;
        },
      );
    });
  }
});
