// Taking over fields people or earlier tools set, as Flux's ssa package does: the managed-field
// entries of take-over managers (kubectl, kubectl-edit, kubectl-client-side-apply,
// before-first-apply, helm, and those configured) are merged into kube-drift's own Apply
// entry, so the apply that follows owns those fields and removes the ones Git does not set.
// Without this, a field only `kubectl` or `helm` owns survives every server-side apply.

import { isManualManager, type ManagerMatcher } from '../drift/managers.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { FieldsV1, KubeObject, ManagedFieldsEntry, ObjectRef } from '../model.ts';

export interface JsonPatchOperation {
  op: 'test' | 'replace';
  path: string;
  value: unknown;
}

/** Subresources whose field sets are recorded against the parent object (scale); never status. */
const TAKEN_SUBRESOURCES = new Set(['', 'scale']);

function isTakenOver(entry: ManagedFieldsEntry, fieldManager: string, isTakeover: ManagerMatcher): boolean {
  const manager = entry.manager ?? '';
  return (
    manager !== fieldManager &&
    isTakeover(manager) &&
    (entry.operation === 'Update' || entry.operation === 'Apply') &&
    TAKEN_SUBRESOURCES.has(entry.subresource ?? '')
  );
}

/** The union of two field sets (structured-merge-diff sets are trees of keys; `.` marks a member). */
export function mergeFieldsV1(a: FieldsV1 | undefined, b: FieldsV1 | undefined): FieldsV1 {
  const result: FieldsV1 = {};
  for (const source of [a, b]) {
    if (!source) continue;
    for (const [key, child] of Object.entries(source)) {
      result[key] = key in result ? mergeFieldsV1(result[key], child) : mergeFieldsV1(undefined, child);
    }
  }
  return result;
}

/**
 * The managedFields after the takeover: manual entries merged into one Apply entry of
 * `fieldManager` (with kube-drift's existing Apply entry of the same apiVersion, if any), other
 * entries untouched and in place. Undefined when no manual manager owns anything.
 */
export function takeOverManagedFields(
  live: KubeObject,
  fieldManager: string,
  isTakeover: ManagerMatcher = isManualManager,
): ManagedFieldsEntry[] | undefined {
  const entries = live.metadata.managedFields ?? [];
  const manual = entries.filter((e) => isTakenOver(e, fieldManager, isTakeover));
  if (manual.length === 0) return undefined;
  // One Apply entry per manager and apiVersion: the server keys entries that way, and two
  // entries with the same key would leave only the last one's fields owned.
  const merged = new Map<string, ManagedFieldsEntry>();
  const own = (e: ManagedFieldsEntry) =>
    e.manager === fieldManager && e.operation === 'Apply' && !e.subresource;
  for (const entry of entries) {
    if (!own(entry) && !isTakenOver(entry, fieldManager, isTakeover)) continue;
    const apiVersion = entry.apiVersion ?? live.apiVersion;
    const existing = merged.get(apiVersion);
    merged.set(apiVersion, {
      manager: fieldManager,
      operation: 'Apply',
      apiVersion,
      time: latest(existing?.time, entry.time),
      fieldsType: 'FieldsV1',
      fieldsV1: mergeFieldsV1(existing?.fieldsV1, entry.fieldsV1),
    });
  }
  const result: ManagedFieldsEntry[] = [];
  const placed = new Set<string>();
  for (const entry of entries) {
    if (own(entry) || isTakenOver(entry, fieldManager, isTakeover)) {
      const apiVersion = entry.apiVersion ?? live.apiVersion;
      if (!placed.has(apiVersion)) {
        placed.add(apiVersion);
        result.push(withoutUndefined(merged.get(apiVersion)!));
      }
    } else {
      result.push(entry);
    }
  }
  return result;
}

/**
 * The JSON patch that hands manual fields to `fieldManager`, guarded by the live
 * resourceVersion so it never overwrites managed fields a controller wrote since `live` was read.
 */
export function takeoverPatch(
  live: KubeObject,
  fieldManager: string,
  isTakeover: ManagerMatcher = isManualManager,
): JsonPatchOperation[] | undefined {
  const managedFields = takeOverManagedFields(live, fieldManager, isTakeover);
  if (!managedFields) return undefined;
  const patch: JsonPatchOperation[] = [];
  if (live.metadata.resourceVersion) {
    patch.push({ op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion });
  }
  patch.push({ op: 'replace', path: '/metadata/managedFields', value: managedFields });
  return patch;
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

function withoutUndefined(entry: ManagedFieldsEntry): ManagedFieldsEntry {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as ManagedFieldsEntry;
}

/**
 * Hands manual managers' fields to kube-drift in the cluster. The patch is guarded by
 * resourceVersion, and controllers write status often (a scaling Deployment), so a refused
 * guard means: read again and retry.
 */
export async function takeOver(
  live: KubeObject,
  ref: ObjectRef,
  cluster: ClusterObjects,
  fieldManager: string,
  isTakeover: ManagerMatcher,
): Promise<void> {
  let current: KubeObject | null = live;
  for (let attempt = 1; current; attempt++) {
    const patch = takeoverPatch(current, fieldManager, isTakeover);
    if (!patch) return;
    try {
      await cluster.jsonPatch(ref, patch);
      return;
    } catch (error) {
      const guardRefused = error instanceof KubeApiError && (error.status === 422 || error.status === 409);
      if (!guardRefused || attempt === TAKEOVER_ATTEMPTS) throw error;
      current = await cluster.get(ref);
    }
  }
}

const TAKEOVER_ATTEMPTS = 8;
