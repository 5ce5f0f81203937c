// Adopting objects that another tool applied before: fields that take-over managers (kubectl,
// Helm, a CI script) own and Git does not set are drift, because remediation takes them over
// and its apply removes them. Fields of other non-controller managers are named in a note.
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { KubeObject, ObjectRef } from '../model.ts';
import { fieldsToRemove, removePointers } from './fieldsets.ts';
import { isCreationManager, isKnownController, type ManagerMatcher } from './managers.ts';
import { LAST_APPLIED_ANNOTATION } from './normalize.ts';

export interface Adoption {
  /** What applying Git leaves: the dry-run's answer without the fields taken over and removed. */
  after: KubeObject;
  /** Pointers (in the prediction) of the fields taken over and removed. */
  removed: string[];
  notes: string[];
}

export interface AdoptionOptions {
  isTakeover: ManagerMatcher;
  fieldManager: string;
}

/**
 * The fields take-over managers own and Git (`desired`, as stored) does not set, removed from
 * `predicted` (the server-side apply dry-run). An Update entry that may record a whole object
 * at creation (`helm install`, `kubectl create`) also owns what the server defaulted; those
 * fields are checked with a dry-run update of the object without them, so that a default the
 * server puts back is not reported, while a field nobody puts back (a ConfigMap key Git
 * dropped) is. Without `cluster` (client mode) only the fields known not to be defaults count.
 */
export async function adoptFields(
  predicted: KubeObject,
  desired: KubeObject,
  ref: ObjectRef,
  cluster: Pick<ClusterObjects, 'update'> | undefined,
  options: AdoptionOptions,
): Promise<Adoption> {
  const { isTakeover, fieldManager } = options;
  const notes: string[] = [];
  const known = fieldsToRemove(predicted, desired, isTakeover, fieldManager);
  let after = known.length > 0 ? removePointers(predicted, known) : predicted;
  let removed = known;
  const creators = creationManagers(predicted, isTakeover, fieldManager);
  if (cluster && creators.length > 0) {
    const candidates = fieldsToRemove(predicted, desired, isTakeover, fieldManager, {
      creationUnchecked: true,
    });
    if (candidates.length > known.length) {
      try {
        after = await withoutFields(predicted, candidates, ref, cluster, fieldManager);
        removed = candidates;
      } catch (error) {
        if (!(error instanceof KubeApiError)) throw error;
        notes.push(
          `fields ${creators.join(', ')} set when creating the object were not compared: the dry-run update that tells them from server defaults failed (${error.message})`,
        );
      }
    }
  }
  const untracked = untrackedManagers(predicted, desired, options);
  if (untracked.length > 0) {
    const names = untracked.join(', ');
    notes.push(
      `fields set by ${names} that Git does not set are not compared; add ${untracked.length === 1 ? 'it' : 'them'} to takeover-managers to take them over`,
    );
  }
  return { after, removed, notes };
}

/**
 * Take-over managers with an Update entry that may have created the object. None when the
 * object carries last-applied-configuration: a client-side apply recorded there exactly what it
 * set, and `fieldsToRemove` already tells that from server defaults.
 */
function creationManagers(live: KubeObject, isTakeover: ManagerMatcher, fieldManager: string): string[] {
  if (live.metadata.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined) return [];
  const found = new Set<string>();
  for (const entry of live.metadata.managedFields ?? []) {
    const manager = entry.manager ?? '';
    if (
      entry.operation === 'Update' &&
      !entry.subresource &&
      manager !== fieldManager &&
      isTakeover(manager) &&
      isCreationManager(manager)
    )
      found.add(manager);
  }
  return [...found];
}

/** The predicted object without `pointers`, as the API server stores it: defaults put back. */
async function withoutFields(
  predicted: KubeObject,
  pointers: string[],
  ref: ObjectRef,
  cluster: Pick<ClusterObjects, 'update'>,
  fieldManager: string,
): Promise<KubeObject> {
  const object = removePointers(predicted, pointers);
  // Without managedFields in the body the server keeps the stored ones; resourceVersion makes
  // the dry-run refuse an object that changed since the prediction.
  object.metadata = { ...object.metadata };
  delete object.metadata.managedFields;
  return cluster.update(object, ref, { fieldManager, dryRun: true });
}

/**
 * Managers neither taken over nor controllers that own fields Git does not set (checked as if
 * each were taken over), sorted. Status and other subresources are controllers' business.
 */
function untrackedManagers(predicted: KubeObject, desired: KubeObject, options: AdoptionOptions): string[] {
  const { isTakeover, fieldManager } = options;
  const others = new Set<string>();
  for (const entry of predicted.metadata.managedFields ?? []) {
    const manager = entry.manager ?? '';
    if (entry.subresource || manager === '' || manager === fieldManager) continue;
    if (isTakeover(manager) || isKnownController(manager)) continue;
    others.add(manager);
  }
  if (others.size === 0) return [];
  const unchecked = { creationUnchecked: true };
  const before = new Set(fieldsToRemove(predicted, desired, isTakeover, fieldManager, unchecked));
  const found: string[] = [];
  for (const manager of [...others].sort()) {
    const withIt: ManagerMatcher = (m) => m === manager || isTakeover(m);
    const fields = fieldsToRemove(predicted, desired, withIt, fieldManager, unchecked);
    if (fields.some((pointer) => !before.has(pointer))) found.push(manager);
  }
  return found;
}
