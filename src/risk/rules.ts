// The risk review's rules as data: id, default severity, what it finds, and its check (one module each).

import type { RiskRuleId, RiskSeverity } from '../model.ts';
import { checkAvailability } from './availability.ts';
import { checkConfigWithoutRollout } from './config.ts';
import type { RiskCheck } from './context.ts';
import { checkPruneOverLimit, checkStatefulDeletions } from './deletions.ts';
import { checkExposure } from './exposure.ts';
import { checkImageChanges } from './images.ts';
import { checkImmutableFields } from './immutable.ts';
import { checkWorkloadPrivilege } from './privilege.ts';
import { checkRbacEscalation } from './rbac.ts';

export interface RiskRule {
  id: RiskRuleId;
  /** A check may raise or lower it for one finding (an empty Namespace is a warning). */
  severity: RiskSeverity;
  description: string;
  check: RiskCheck;
}

export const RISK_RULES: readonly RiskRule[] = [
  {
    id: 'immutable-field',
    severity: 'danger',
    description:
      'The apply is refused on an immutable field; remediation recreates the object only with force.',
    check: checkImmutableFields,
  },
  {
    id: 'delete-stateful',
    severity: 'danger',
    description:
      'A deletion takes a PersistentVolumeClaim, a Namespace, a CRD or a StatefulSet, with what it holds in the cluster.',
    check: checkStatefulDeletions,
  },
  {
    id: 'config-without-rollout',
    severity: 'warning',
    description:
      'A ConfigMap or Secret changes that live workloads consume while their pod templates do not.',
    check: checkConfigWithoutRollout,
  },
  {
    id: 'rbac-escalation',
    severity: 'danger',
    description:
      'New or widened RBAC: wildcards, escalate/bind/impersonate, Secrets read cluster-wide, cluster-admin bindings.',
    check: checkRbacEscalation,
  },
  {
    id: 'workload-privilege',
    severity: 'danger',
    description:
      'A pod spec gains privileged, hostPath, hostNetwork/hostPID, capabilities, or root, where live had none.',
    check: checkWorkloadPrivilege,
  },
  {
    id: 'exposure',
    severity: 'warning',
    description:
      'A Service becomes LoadBalancer or NodePort; an Ingress or a Gateway API route gains a host.',
    check: checkExposure,
  },
  {
    id: 'availability',
    severity: 'warning',
    description:
      'Replicas to 0, a readiness probe removed, a PodDisruptionBudget the live replicas cannot satisfy, an image off its digest or to latest.',
    check: checkAvailability,
  },
  {
    id: 'prune-over-limit',
    severity: 'warning',
    description: 'More deletions than max-deletions: remediation refuses to prune.',
    check: checkPruneOverLimit,
  },
  {
    id: 'image-change',
    severity: 'info',
    description: 'Every container image that changes, per workload and container, from → to.',
    check: checkImageChanges,
  },
];
