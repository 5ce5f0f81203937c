// Risk reviews for the report tests, as the engine (src/risk/) hands them over in
// `changeSet.risks`: findings in no particular order, accepted ones, a rule it could not check.

import type { ChangeSet, RiskFinding, RiskSeverity } from '../../../src/model.ts';
import { largeDriftChangeSet, threeWayChangeSet } from './fixtures.ts';

/** A three-way preview with findings of every severity, two accepted, images and a gap. */
export function riskChangeSet(): ChangeSet {
  const findings: RiskFinding[] = [
    {
      rule: 'image-change',
      severity: 'info',
      subject: 'Deployment/web/api',
      source: { file: 'deploy/web/api.yaml', line: 12 },
      message: 'Container api changes image.',
      origin: 'pr',
      image: { container: 'api', from: 'ghcr.io/acme/api:1.4.0', to: 'ghcr.io/acme/api:1.5.0' },
    },
    {
      rule: 'config-without-rollout',
      severity: 'warning',
      subject: 'ConfigMap/web/cache',
      source: { file: 'deploy/web/cache.yaml', line: 1 },
      message:
        'Deployment/web/api and Deployment/web/worker consume ConfigMap/web/cache but their pod templates do not change: their 8 running Pods keep the old values until restarted.',
      origin: 'drift',
    },
    {
      rule: 'delete-stateful',
      severity: 'danger',
      subject: 'PersistentVolumeClaim/db/data',
      message:
        'Pruning deletes PersistentVolumeClaim/db/data (20Gi, bound to pv-3f1c); its data is lost unless the volume is retained.',
      origin: 'pr',
    },
    {
      rule: 'exposure',
      severity: 'info',
      subject: 'Ingress/web/shop',
      source: { file: 'deploy/web/ingress.yaml', line: 9 },
      message: 'Ingress/web/shop gains the host beta.shop.example.com.',
      origin: 'pr',
    },
    {
      rule: 'immutable-field',
      severity: 'danger',
      subject: 'Deployment/web/api',
      source: { file: 'deploy/web/api.yaml', line: 12 },
      message:
        'spec.selector is immutable: the apply will be refused; remediation recreates Deployment/web/api only with force, which restarts its 6 Pods.',
      predicted: true,
      origin: 'both',
    },
    {
      rule: 'rbac-escalation',
      severity: 'warning',
      subject: 'ClusterRole/ci-deployer',
      source: { file: 'deploy/rbac/ci.yaml', line: 1 },
      message: 'ClusterRole/ci-deployer gains the verb bind on clusterroles.',
      origin: 'pr',
      accepted: { reason: 'the CI deployer binds roles in team namespaces', by: 'annotation' },
    },
    {
      rule: 'exposure',
      severity: 'warning',
      subject: 'Service/web/api',
      source: { file: 'deploy/web/service.yaml', line: 3 },
      message: 'Service/web/api becomes type LoadBalancer: it gets an address outside the cluster.',
      origin: 'pr',
    },
    {
      rule: 'delete-stateful',
      severity: 'danger',
      subject: 'Namespace/legacy',
      message: 'Pruning deletes Namespace/legacy and the 14 objects in it.',
      origin: 'pr',
      accepted: { reason: 'emptied and archived in INC-2231', by: 'settings' },
    },
    {
      rule: 'image-change',
      severity: 'info',
      subject: 'Deployment/web/worker',
      source: { file: 'deploy/web/worker.yaml', line: 4 },
      message: 'Container worker changes image.',
      origin: 'drift',
      image: {
        container: 'worker',
        from: 'ghcr.io/acme/worker@sha256:9f86d081884c7d65',
        to: 'ghcr.io/acme/worker:3.1',
      },
    },
  ];
  return {
    ...threeWayChangeSet(),
    risks: {
      findings,
      unchecked: [
        {
          rule: 'prune-over-limit',
          reason:
            'the credentials may not read the inventory of target production (configmaps "kube-drift-production" is forbidden)',
        },
      ],
    },
  };
}

const SEVERITY_CYCLE: RiskSeverity[] = ['info', 'warning', 'info', 'danger', 'info'];

/** `count` findings (a fifth of them images, one in ten accepted) over a large drift. */
export function manyRisksChangeSet(count: number): ChangeSet {
  const findings: RiskFinding[] = Array.from({ length: count }, (_, index) => {
    const name = `service-${String(index).padStart(5, '0')}`;
    const subject = `Deployment/team-${index % 17}/${name}`;
    const source = { file: `deploy/team-${index % 17}/${name}.yaml`, line: 1 + (index % 40) };
    if (index % 5 === 4)
      return {
        rule: 'image-change',
        severity: 'info',
        subject,
        source,
        message: 'Container changes image.',
        image: { container: name, from: `ghcr.io/acme/${name}:1.0`, to: `ghcr.io/acme/${name}:1.1` },
      };
    const finding: RiskFinding = {
      rule: 'availability',
      severity: SEVERITY_CYCLE[index % SEVERITY_CYCLE.length],
      subject,
      source,
      message: `${subject} loses its readiness probe: Pods receive traffic before they are ready, during the rollout of all 4 replicas.`,
    };
    if (index % 20 === 3) finding.accepted = { reason: 'probe moves to the mesh sidecar', by: 'settings' };
    return finding;
  });
  return { ...largeDriftChangeSet(count), risks: { findings, unchecked: [] } };
}
