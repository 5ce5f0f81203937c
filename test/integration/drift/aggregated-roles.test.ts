// An aggregated ClusterRole (`aggregationRule`) as projects ship it (`rules: []`, or no rules):
// kube-controller-manager's aggregation controller fills in `rules` from the roles its selectors
// match. Git's rules never last, so they are not compared (src/drift/resolve.ts): client mode
// (read-only identity) and server mode with `--verify all` and `auto` find the roles in sync, and
// report a hand edit to the selectors field for field alike.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectlOk, readonlyKubeconfigPath, waitFor } from '../../support/cluster.ts';
import type { JsonReport as Report } from '../../support/verify.ts';

const suffix = randomBytes(4).toString('hex');
const LABEL = `kube-drift.test/aggregate-${suffix}`;
const roles = (prefix: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${prefix}-empty
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        ${LABEL}: "true"
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${prefix}-omitted
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        ${LABEL}: "true"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${prefix}-part
  labels:
    ${LABEL}: "true"
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list]
`;

const MODES = [
  ['client', '--diff-mode', 'client', '--kubeconfig', readonlyKubeconfigPath()],
  ['server, verify all', '--diff-mode', 'server', '--verify', 'all', '--kubeconfig', kubeconfigPath()],
  ['server, verify auto', '--diff-mode', 'server', '--verify', 'auto', '--kubeconfig', kubeconfigPath()],
] as const;

describe('aggregated ClusterRoles: the controller owns rules', { timeout: 180_000 }, () => {
  const prefix = `kd-aggregated-${suffix}`;
  let repo: string;
  let file: string;

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-aggregated-'));
    mkdirSync(join(repo, 'app'));
    file = join(repo, 'app', 'roles.yaml');
    writeFileSync(file, roles(prefix));
    await kubectlOk(['apply', '--server-side', '-f', file]);
    // The controller fills in both aggregated roles' rules from the labelled one.
    for (const name of [`${prefix}-empty`, `${prefix}-omitted`])
      await waitFor(
        async () =>
          (await kubectlOk(['get', 'clusterrole', name, '-o', 'jsonpath={.rules[0].verbs}'])).includes(
            'list',
          ),
        30_000,
        `${name}'s rules aggregated`,
      );
  });

  after(async () => {
    if (file) await kubectlOk(['delete', '--ignore-not-found', '--wait=false', '-f', file]);
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  async function diffIn(mode: (typeof MODES)[number]): Promise<{ code: number; report: Report }> {
    const [, ...flags] = mode;
    const run = await runCli([
      'diff',
      '--path',
      join(repo, 'app'),
      '--target',
      prefix,
      ...flags,
      '--three-way',
      'off',
      '-o',
      'json',
    ]);
    assert.ok(run.stdout.startsWith('{'), `${mode[0]}: ${run.stdout.slice(0, 300)} ${run.stderr}`);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(report.errors, []);
    return { code: run.code, report };
  }
  const fields = (report: Report) =>
    report.entries.map((e) => `${e.name} ${e.action} ${e.changes.map((c) => c.path).join(' ')}`.trim());

  it('as applied: in sync in every mode, proved without a dry-run in client mode and auto', async () => {
    for (const mode of MODES) {
      const { code, report } = await diffIn(mode);
      assert.deepEqual(
        fields(report),
        [`${prefix}-empty unchanged`, `${prefix}-omitted unchanged`, `${prefix}-part unchanged`],
        mode[0],
      );
      assert.equal(code, 0, mode[0]);
      if (mode[0] !== 'server, verify all') assert.equal(report.verification?.proof, 3, mode[0]);
    }
  });

  it('a hand edit to the selectors is drift, the same fields in every mode', async () => {
    const escaped = LABEL.replace('/', '~1');
    await kubectlOk([
      'patch',
      'clusterrole',
      `${prefix}-empty`,
      '--type',
      'json',
      '-p',
      `[{"op":"replace","path":"/aggregationRule/clusterRoleSelectors/0/matchLabels/${escaped}","value":"false"}]`,
    ]);
    const expected = [
      `${prefix}-empty configured /aggregationRule/clusterRoleSelectors/0/matchLabels/${escaped}`,
      `${prefix}-omitted unchanged`,
      `${prefix}-part unchanged`,
    ];
    for (const mode of MODES) {
      const { code, report } = await diffIn(mode);
      assert.deepEqual(fields(report), expected, mode[0]);
      assert.equal(code, 1, mode[0]);
    }
  });
});
