// Default ignore rules for noise that Git cannot avoid: an autoscaler owning `spec.replicas`,
// a CA bundle that cert-manager's cainjector writes.

import type { KubeObject } from '../model.ts';
import type { IgnoreRule, IgnoreTarget } from './ignore.ts';
import { isPlainObject } from './jsondiff.ts';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || apiVersion === '') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function exactTarget(
  apiVersion: unknown,
  kind: string,
  name: string,
  namespace: string | undefined,
): IgnoreTarget | undefined {
  const target: IgnoreTarget = { kind: escapeRegExp(kind), name: escapeRegExp(name) };
  const group = groupOf(apiVersion);
  if (group !== undefined) target.group = escapeRegExp(group);
  if (namespace) target.namespace = escapeRegExp(namespace);
  return target;
}

const CA_INJECTION_ANNOTATIONS = [
  'cert-manager.io/inject-ca-from',
  'cert-manager.io/inject-ca-from-secret',
  'cert-manager.io/inject-apiserver-ca',
];

/**
 * Known noise, derived from the desired set:
 * - `/spec/replicas` of every workload a HorizontalPodAutoscaler or a KEDA ScaledObject
 *   scales: the autoscaler rewrites it, so Git's value is always "drifted" (Flux documents
 *   the same ignore rule).
 * - the CA bundle cert-manager's cainjector writes into webhook configurations, CRD conversion
 *   webhooks and APIServices that ask for it by annotation: charts ship a placeholder there.
 * Nothing else: a server-side dry-run already keeps live values of fields Git does not set.
 */
export function defaultIgnoreRules(desired: readonly KubeObject[]): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const object of desired) {
    const group = groupOf(object.apiVersion);
    const spec = isPlainObject(object.spec) ? object.spec : undefined;
    const scaled =
      (object.kind === 'HorizontalPodAutoscaler' && group === 'autoscaling') ||
      (object.kind === 'ScaledObject' && group === 'keda.sh');
    if (scaled && spec && isPlainObject(spec.scaleTargetRef)) {
      const ref = spec.scaleTargetRef;
      // KEDA defaults the target to an apps/v1 Deployment.
      const kind = typeof ref.kind === 'string' ? ref.kind : group === 'keda.sh' ? 'Deployment' : undefined;
      const apiVersion = ref.apiVersion ?? (group === 'keda.sh' ? 'apps/v1' : undefined);
      if (kind && typeof ref.name === 'string') {
        rules.push({
          paths: ['/spec/replicas'],
          target: exactTarget(apiVersion, kind, ref.name, object.metadata?.namespace),
        });
      }
    }
    const annotations = object.metadata?.annotations;
    if (annotations && CA_INJECTION_ANNOTATIONS.some((a) => Object.hasOwn(annotations, a))) {
      const paths =
        object.kind === 'MutatingWebhookConfiguration' || object.kind === 'ValidatingWebhookConfiguration'
          ? ['/webhooks/*/clientConfig/caBundle']
          : object.kind === 'CustomResourceDefinition'
            ? ['/spec/conversion/webhook/clientConfig/caBundle']
            : object.kind === 'APIService'
              ? ['/spec/caBundle']
              : [];
      if (paths.length > 0) {
        rules.push({
          paths,
          target: exactTarget(object.apiVersion, object.kind, object.metadata.name, undefined),
        });
      }
    }
  }
  return rules;
}
