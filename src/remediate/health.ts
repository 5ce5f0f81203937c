// Whether an applied object is healthy, after Flux's kstatus checks: workloads rolled out,
// Jobs complete, anything else by its Ready condition, or by existing.

import type { KubeObject } from '../model.ts';

export type HealthState = 'healthy' | 'progressing' | 'failed';

export interface Health {
  state: HealthState;
  /** What was seen, for the report: "2/3 replicas available". */
  reason: string;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

type Status = Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };

const WORKLOAD_KINDS = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet', 'batch/Job']);

/** Kinds whose health is their rollout: the ones skip-unhealthy leaves alone. */
export function isWorkload(object: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return WORKLOAD_KINDS.has(`${groupOf(object.apiVersion)}/${object.kind}`);
}

export function assessHealth(object: KubeObject | null): Health {
  if (!object) return { state: 'progressing', reason: 'not found' };
  const status = (object.status ?? {}) as Status;
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const generation = typeof object.metadata.generation === 'number' ? object.metadata.generation : undefined;
  const stale =
    generation !== undefined &&
    (typeof status.observedGeneration !== 'number' || status.observedGeneration < generation);
  const kind = `${groupOf(object.apiVersion)}/${object.kind}`;
  const n = (value: unknown): number => (typeof value === 'number' ? value : 0);

  switch (kind) {
    case 'apps/Deployment': {
      if (stale) return progressing('the controller has not observed the latest generation yet');
      const deadline = condition(status, 'Progressing');
      if (deadline?.reason === 'ProgressDeadlineExceeded') {
        return { state: 'failed', reason: `progress deadline exceeded: ${deadline.message ?? ''}`.trim() };
      }
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      if (n(status.updatedReplicas) < replicas)
        return progressing(`${n(status.updatedReplicas)}/${replicas} replicas updated`);
      if (n(status.replicas) > replicas)
        return progressing(`${n(status.replicas) - replicas} old replicas pending termination`);
      if (n(status.availableReplicas) < replicas)
        return progressing(`${n(status.availableReplicas)}/${replicas} replicas available`);
      const available = condition(status, 'Available');
      if (replicas > 0 && available?.status !== 'True')
        return progressing(`condition Available is ${available?.status ?? 'missing'}`);
      return { state: 'healthy', reason: `${replicas}/${replicas} replicas available` };
    }
    case 'apps/StatefulSet': {
      if (stale) return progressing('the controller has not observed the latest generation yet');
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      if (n(status.readyReplicas) < replicas)
        return progressing(`${n(status.readyReplicas)}/${replicas} replicas ready`);
      const strategy = (spec.updateStrategy ?? {}) as {
        type?: string;
        rollingUpdate?: { partition?: number };
      };
      if (strategy.type !== 'OnDelete') {
        const partition = n(strategy.rollingUpdate?.partition);
        if (n(status.updatedReplicas) < replicas - partition) {
          return progressing(`${n(status.updatedReplicas)}/${replicas - partition} replicas updated`);
        }
        if (partition === 0 && status.updateRevision && status.currentRevision !== status.updateRevision) {
          return progressing(`revision ${String(status.updateRevision)} rolling out`);
        }
      }
      return { state: 'healthy', reason: `${replicas}/${replicas} replicas ready` };
    }
    case 'apps/DaemonSet': {
      if (stale) return progressing('the controller has not observed the latest generation yet');
      const desired = n(status.desiredNumberScheduled);
      if (n(status.updatedNumberScheduled) < desired)
        return progressing(`${n(status.updatedNumberScheduled)}/${desired} pods updated`);
      if (n(status.numberAvailable) < desired)
        return progressing(`${n(status.numberAvailable)}/${desired} pods available`);
      return { state: 'healthy', reason: `${desired}/${desired} pods available` };
    }
    case 'batch/Job': {
      const failed = condition(status, 'Failed');
      if (failed?.status === 'True')
        return { state: 'failed', reason: `failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim() };
      const complete = condition(status, 'Complete');
      if (complete?.status === 'True') return { state: 'healthy', reason: 'complete' };
      return progressing(
        `${n(status.succeeded)} succeeded, ${n(status.active)} active, ${n(status.failed)} failed`,
      );
    }
  }
  const ready = condition(status, 'Ready');
  if (ready) {
    if (stale) return progressing('the controller has not observed the latest generation yet');
    if (ready.status === 'True') return { state: 'healthy', reason: 'Ready' };
    return progressing(
      `condition Ready is ${ready.status ?? 'Unknown'}${ready.reason ? ` (${ready.reason})` : ''}${ready.message ? `: ${ready.message}` : ''}`,
    );
  }
  return { state: 'healthy', reason: 'exists' };
}

function progressing(reason: string): Health {
  return { state: 'progressing', reason };
}

function condition(status: Status, type: string): Condition | undefined {
  return Array.isArray(status.conditions) ? status.conditions.find((c) => c?.type === type) : undefined;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}
