// The canary cases: for each way a Secret value travels into another object, the values to
// search for and what the report must show for the search to mean anything.

import type { Canaries } from './canary-repository.ts';
import { INVALID_LABEL_CONFIGMAP, POLICY_CONFIGMAP, RELEASE } from './canary-repository.ts';
import { type Needle, pemNeedles } from './leaks.ts';

export type Tree = 'plain' | 'flux';

export interface CanaryCase {
  title: string;
  /** The tree of the repository the case is in. */
  tree: Tree;
  needles: Needle[];
  /** What a run's report must show for the search to mean anything: the object drifted, or its dry-run failed. */
  seen: Array<{ kind: string; name: string; as: 'configured' | 'error' }>;
}

export function canaryCases(c: Canaries): CanaryCase[] {
  const configured = (kind: string, name: string) => ({ kind, name, as: 'configured' as const });
  return [
    {
      title: 'a Secret value inside a ConfigMap value (a DSN)',
      tree: 'plain',
      needles: [{ name: 'DSN password', value: c.dsn }],
      seen: [configured('ConfigMap', 'app-config')],
    },
    {
      title: 'a Secret value as a container env literal',
      tree: 'plain',
      needles: [{ name: 'env literal API key', value: c.env }],
      seen: [configured('Deployment', 'worker')],
    },
    {
      title: 'a Secret value inside an annotation',
      tree: 'plain',
      needles: [{ name: 'annotation token', value: c.annotation }],
      seen: [configured('ConfigMap', 'app-config')],
    },
    {
      title: 'a value only the cluster has (Secret patched by hand, a ConfigMap edited to hold it)',
      tree: 'plain',
      needles: [{ name: 'hand-set Secret value', value: c.live }],
      seen: [configured('Secret', 'session-key'), configured('ConfigMap', 'session-config')],
    },
    {
      title: 'a multi-line PEM key (every line)',
      tree: 'plain',
      needles: pemNeedles('PEM key', c.pem),
      seen: [configured('ConfigMap', 'tls-debug')],
    },
    {
      title: "a dry-run error quoting the object (the API server's invalid label value)",
      tree: 'plain',
      needles: [{ name: 'DSN password in a label', value: c.invalidLabel }],
      seen: [{ kind: 'ConfigMap', name: INVALID_LABEL_CONFIGMAP, as: 'error' }],
    },
    {
      title: 'a dry-run error quoting the object (an admission policy message)',
      tree: 'plain',
      needles: [{ name: 'token in an admission message', value: c.admission }],
      seen: [{ kind: 'ConfigMap', name: POLICY_CONFIGMAP, as: 'error' }],
    },
    {
      title: 'a Secret value in HelmRelease values',
      tree: 'flux',
      needles: [{ name: 'HelmRelease values password', value: c.helmValues }],
      seen: [configured('ConfigMap', `${RELEASE}-config`)],
    },
    {
      title:
        'a Secret in Git referenced by HelmRelease valuesFrom (whole values.yaml, and valuesKey at a targetPath)',
      tree: 'flux',
      needles: [
        { name: 'valuesFrom values.yaml token', value: c.valuesFrom },
        { name: 'valuesFrom valuesKey token', value: c.valuesFromKey },
      ],
      seen: [configured('ConfigMap', `${RELEASE}-config`)],
    },
    {
      title: 'a Flux postBuild.substituteFrom Secret value substituted into a ConfigMap',
      tree: 'flux',
      needles: [{ name: 'substituteFrom password', value: c.substitute }],
      seen: [configured('ConfigMap', 'substituted')],
    },
  ];
}
