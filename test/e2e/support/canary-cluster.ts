// Puts the canary repository's state into the local control plane as a person would: Git's
// objects applied by kube-drift's field manager, then edited by hand; Flux's CRDs; and an
// admission policy whose refusal message quotes a value of the object it refuses.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/model.ts';
import { renderFlux } from '../../../src/render/flux/index.ts';
import { kubectl, kubectlOk, REPO_ROOT, waitFor } from '../../support/cluster.ts';
import { type Drift, POLICY_CONFIGMAP, yamlOf } from './canary-repository.ts';

/** Server-side applies `objects` as kube-drift would have, so that later hand edits are drift. */
export async function applyAsKubeDrift(objects: Array<Record<string, unknown>>): Promise<void> {
  await kubectlOk(['apply', '--server-side', '--field-manager', 'kube-drift', '-f', '-'], {
    input: yamlOf(objects),
  });
}

export async function applyDrift(namespace: string, drifts: Drift[]): Promise<void> {
  for (const drift of drifts) {
    await kubectlOk([
      'patch',
      drift.kind,
      drift.name,
      '-n',
      namespace,
      '--type',
      drift.type,
      '-p',
      JSON.stringify(drift.patch),
    ]);
  }
}

/** Flux's CRDs, so that the Kustomization and HelmRelease objects themselves are diffed too. */
export async function installFluxCrds(): Promise<void> {
  const crds = execFileSync(join(REPO_ROOT, 'tools/flux-crds.sh'), { encoding: 'utf8' }).trim();
  await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
}

/**
 * What kube-drift's Flux renderer makes of the repository (the engine itself, not the CLI's
 * printout, which masks the Secrets that must reach the cluster unmasked).
 */
export async function renderFluxTree(repoRoot: string, path: string): Promise<KubeObject[]> {
  const rendered = await renderFlux({ repoRoot, paths: [path] });
  if (rendered.errors.length > 0)
    throw new Error(`the Flux tree does not render: ${JSON.stringify(rendered.errors)}`);
  return rendered.objects.map((o) => o.object);
}

/**
 * A ValidatingAdmissionPolicy for `namespace` only that refuses the ConfigMap
 * POLICY_CONFIGMAP with a message quoting its `token`; resolves once the API server
 * enforces it, and returns how to remove it.
 */
export async function quotingAdmissionPolicy(namespace: string): Promise<() => Promise<void>> {
  const name = `kube-drift-canary-${namespace}`;
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['configmaps'],
          },
        ],
      },
      validations: [
        {
          expression: `object.metadata.name != '${POLICY_CONFIGMAP}'`,
          messageExpression: `'ConfigMap ' + object.metadata.name + ' may not hold the token ' + object.data.token`,
        },
      ],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec: {
      policyName: name,
      validationActions: ['Deny'],
      matchResources: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      },
    },
  };
  await kubectlOk(['apply', '--server-side', '-f', '-'], { input: yamlOf([policy, binding]) });
  const probe = yamlOf([
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: POLICY_CONFIGMAP, namespace },
      data: { token: 'probe' },
    },
  ]);
  // The API server picks policies up asynchronously.
  await waitFor(
    async () => {
      const result = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: probe });
      return result.code !== 0 && result.stderr.includes('may not hold the token probe');
    },
    30_000,
    `the admission policy ${name} to be enforced`,
  );
  return async () => {
    await kubectl([
      'delete',
      'validatingadmissionpolicybinding,validatingadmissionpolicy',
      name,
      '--ignore-not-found',
    ]);
  };
}
