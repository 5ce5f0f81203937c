// Shared setup for the risk review's integration tests: a Git repository of manifests in a
// temporary directory, a namespace on the local control plane, and the engine run as the CLI runs
// it (settings parsed from the same flags), returning the review of the plan.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { converge, diff } from '../../../src/engine.ts';
import type { ChangeSet, RiskFinding, RiskReview } from '../../../src/model.ts';
import { Redactor } from '../../../src/redaction.ts';
import { parseSettings } from '../../../src/settings.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const quiet = { info: () => {}, warning: () => {} };

/**
 * A kubeconfig for a ServiceAccount of the test namespace that may only read and dry-run
 * ConfigMaps (the plan lists them cluster-wide): the admin kubeconfig's server and CA, a fresh
 * token. `cleanup` deletes its cluster-wide grant.
 */
export async function configMapsOnlyKubeconfig(
  ns: string,
  dir: string,
): Promise<{ path: string; cleanup(): Promise<void> }> {
  const name = `${ns}-configmaps-only`;
  await kubectlOk(['apply', '-f', '-'], {
    input: `apiVersion: v1
kind: ServiceAccount
metadata: {name: configmaps-only, namespace: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules:
  - {apiGroups: [""], resources: [configmaps], verbs: [get, list, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{kind: ServiceAccount, name: configmaps-only, namespace: ${ns}}]
`,
  });
  const cleanup = async () => {
    await kubectl(['delete', 'clusterrolebinding', name, '--ignore-not-found']);
    await kubectl(['delete', 'clusterrole', name, '--ignore-not-found']);
  };
  const admin = parse(readFileSync(kubeconfigPath(), 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
  };
  const { server, 'certificate-authority-data': ca } = admin.clusters[0].cluster;
  const token = (await kubectlOk(['-n', ns, 'create', 'token', 'configmaps-only', '--duration=1h'])).trim();
  const path = join(dir, 'configmaps-only.kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: 'configmaps-only', user: { token } }],
    contexts: [{ name: 'sa', context: { cluster: 'local', user: 'configmaps-only' } }],
    'current-context': 'sa',
  };
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return { path, cleanup };
}

export interface RiskRepo {
  /** The repository's directory (scratch files may go next to it). */
  root: string;
  ns: string;
  target: string;
  /** Replaces the repository's manifests (`apps/…`) with these files. */
  write(files: Record<string, string>): void;
  /** `kube-drift diff` with these flags: the review of its plan (a plan with errors only when allowed). */
  review(flags?: Record<string, string>, options?: { allowErrors?: boolean }): Promise<RiskReview>;
  /** `kube-drift diff` with these flags: the change set it reports. */
  changeSet(flags?: Record<string, string>): Promise<ChangeSet>;
  /** `kube-drift apply` (records the inventory a later prune preview reads). */
  apply(flags?: Record<string, string>): Promise<void>;
  cleanup(): Promise<void>;
}

export async function riskRepo(prefix: string): Promise<RiskRepo> {
  const namespace: TestNamespace = await withNamespace(`risk-${prefix}`);
  const root = mkdtempSync(join(tmpdir(), `kube-drift-risk-${prefix}-`));
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['remote', 'add', 'origin', 'https://github.com/kube-drift-tests/risk.git'], {
    cwd: root,
  });
  const target = `risk-${prefix}-${randomBytes(3).toString('hex')}`;
  const raw = (flags: Record<string, string>) => ({
    path: 'apps',
    target,
    namespace: namespace.name,
    kubeconfig: kubeconfigPath(),
    'inventory-namespace': namespace.name,
    ...flags,
  });
  const repo: RiskRepo = {
    root,
    ns: namespace.name,
    target,
    write(files) {
      rmSync(join(root, 'apps'), { recursive: true, force: true });
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, 'apps', path)), { recursive: true });
        writeFileSync(join(root, 'apps', path), text);
      }
    },
    async changeSet(flags = {}) {
      const settings = parseSettings('diff', raw(flags), { repoRoot: root, isAction: false });
      const result = await diff(settings, quiet, new Redactor());
      await result.close();
      return result.changeSet;
    },
    async review(flags = {}, options = {}) {
      const changeSet = await repo.changeSet(flags);
      if (!options.allowErrors) assert.deepEqual(changeSet.errors, [], 'the plan has errors');
      assert.ok(changeSet.risks, 'risk-review is on by default: the change set carries the review');
      return changeSet.risks;
    },
    async apply(flags = {}) {
      const settings = parseSettings('apply', raw(flags), { repoRoot: root, isAction: false });
      const planned = await diff(settings, quiet, new Redactor(), { forApply: true });
      try {
        const done = await converge(planned, settings, quiet);
        assert.equal(done.exitStatus, 0, JSON.stringify(done.report.errors));
      } finally {
        await planned.close();
      }
    },
    async cleanup() {
      rmSync(root, { recursive: true, force: true });
      await namespace.cleanup();
    },
  };
  return repo;
}

/** `severity subject: message` of one rule's findings, for exact assertions. */
export function findings(review: RiskReview, rule: RiskFinding['rule']): string[] {
  return review.findings
    .filter((f) => f.rule === rule)
    .map((f) => `${f.severity} ${f.subject}: ${f.message}`);
}

/** A Deployment's manifest with one container; `extra` is YAML indented under the pod spec's container. */
export function deploymentYaml(
  namespace: string,
  name: string,
  options: {
    image?: string;
    replicas?: number;
    container?: string;
    podSpec?: string;
    annotations?: string;
  } = {},
): string {
  const annotations = options.annotations ? `\n      annotations:\n${indent(options.annotations, 8)}` : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: ${options.replicas ?? 1}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}${annotations}
    spec:${options.podSpec ? `\n${indent(options.podSpec, 6)}` : ''}
      containers:
        - name: app
          image: ${options.image ?? 'registry.local/app:1'}${options.container ? `\n${indent(options.container, 10)}` : ''}
`;
}

export function indent(text: string, spaces: number): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}
