// A dry-run the server refuses: rejected by admission (a ValidatingAdmissionPolicy, CEL) or
// invalid (a negative replicas). That object is reported as an error with the server's
// message, the others are still diffed, and the exit status is 2.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rejectLabelledConfigMaps } from '../../support/admission-policy.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';
import { actionsOf, configMapsYaml, type ReportJson, range, spawnCli, writeRepo } from './support.ts';

const REJECT_LABEL = 'kube-drift.dev/test-reject';

function deploymentYaml(namespace: string, name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: app
        image: registry.example/app:1
`;
}

describe('a dry-run refused by the server', () => {
  let ns: TestNamespace;
  let repo: string;
  const policy = `kube-drift-fault-reject-${process.pid}`;

  before(async () => {
    ns = await withNamespace('faults-admission');
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-faults-admission-'));
    await kubectlOk(['apply', '-f', '-'], {
      input: rejectLabelledConfigMaps(policy, ns.name, REJECT_LABEL, 'fault test'),
    });
    // The policy takes effect once the server has compiled it: wait until a dry-run is refused.
    await waitFor(
      async () =>
        (
          await kubectl(['apply', '--dry-run=server', '-f', '-'], {
            input: configMapsYaml(ns.name, 'probe', [0], undefined, () => ({ [REJECT_LABEL]: 'true' })),
          })
        ).code !== 0,
      30_000,
      `ValidatingAdmissionPolicy ${policy} to refuse a labelled ConfigMap`,
    );
  });

  after(async () => {
    await kubectl(['delete', 'validatingadmissionpolicybinding', policy, '--ignore-not-found']);
    await kubectl(['delete', 'validatingadmissionpolicy', policy, '--ignore-not-found']);
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('reports the refused and the invalid object as errors with the server message, diffs the others, exits 2', async () => {
    writeRepo(repo, {
      'apps/cms.yaml': configMapsYaml(
        ns.name,
        'cm',
        range(0, 5),
        undefined,
        (i): Record<string, string> => (i === 2 ? { [REJECT_LABEL]: 'true' } : {}),
      ),
      'apps/deploy.yaml': `${deploymentYaml(ns.name, 'good', 1)}---\n${deploymentYaml(ns.name, 'negative', -1)}`,
    });
    const result = await spawnCli(
      [
        'diff',
        '--path',
        'apps',
        '--target',
        `faults-admission-${process.pid}`,
        '--kubeconfig',
        kubeconfigPath(),
        '--output',
        'json',
      ],
      {},
      repo,
    ).done;
    assert.equal(result.code, 2, result.stderr);
    const report = JSON.parse(result.stdout) as ReportJson;
    const at = (object: string) => report.errors.find((e) => e.object === object)?.message ?? '';
    assert.deepEqual(report.errors.map((e) => e.object).sort(), [
      `ConfigMap/${ns.name}/cm-002`,
      `Deployment/${ns.name}/negative`,
    ]);
    assert.match(
      at(`ConfigMap/${ns.name}/cm-002`),
      new RegExp(
        `denied request: .*kube-drift fault test: ConfigMaps labelled ${REJECT_LABEL}=true are refused`,
      ),
    );
    assert.match(
      at(`Deployment/${ns.name}/negative`),
      /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/,
    );
    // The others are diffed; the refused ones appear only as errors, never as entries.
    assert.deepEqual(actionsOf(report), [
      `ConfigMap/${ns.name}/cm-000 created`,
      `ConfigMap/${ns.name}/cm-001 created`,
      `ConfigMap/${ns.name}/cm-003 created`,
      `ConfigMap/${ns.name}/cm-004 created`,
      `Deployment/${ns.name}/good created`,
    ]);

    // The text report a person reads says the same.
    const text = await spawnCli(
      [
        'diff',
        '--path',
        'apps',
        '--target',
        `faults-admission-${process.pid}`,
        '--kubeconfig',
        kubeconfigPath(),
      ],
      {},
      repo,
    ).done;
    assert.equal(text.code, 2, text.stderr);
    assert.match(text.stdout, /cm-002/);
    assert.match(text.stdout, /are refused/);
    assert.match(text.stdout, /must be greater than or equal to 0/);
  });
});
