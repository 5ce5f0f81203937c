// Fields to remove: hand-made fields that Git does not set, found from managed fields (the
// drift remediation takes over and removes).

import type { KubeObject } from '../model.ts';
import { liveChildren, type OwnershipNode, ownershipIndex } from './field-ownership.ts';
import { ABSENT, type Maybe } from './fieldset-keys.ts';
import { escapeToken } from './jsondiff.ts';
import { isCreationManager, isManualManager } from './managers.ts';
import { LAST_APPLIED_ANNOTATION } from './normalize.ts';

export { attributeChanges, attributeField } from './field-ownership.ts';
export { fieldPointers } from './fieldset-keys.ts';
export { isKnownController, isManualManager } from './managers.ts';
export { removePointers } from './remove-pointers.ts';

export interface FieldsToRemoveOptions {
  /**
   * Managers whose Update entry may record a whole object at creation, server defaults
   * included (`kubectl create`, client-side `kubectl apply`, `before-first-apply`, `helm
   * install`; default `isCreationManager`). Their ownership counts as manual only where the
   * `last-applied-configuration` annotation holds the field: elsewhere they may own what the
   * server defaulted, and reporting that would be false drift.
   */
  creationManagers?: readonly string[];
  /**
   * Count creation entries as manual everywhere: the caller checks the result against server
   * defaults (a dry-run of the object without those fields) before reporting anything.
   */
  creationUnchecked?: boolean;
  /** Pointers never reported (default: `/status`, server-written metadata, last-applied). */
  exclude?: (pointer: string) => boolean;
}

const KEPT_METADATA = new Set(['labels', 'annotations', 'finalizers']);
const LAST_APPLIED_POINTER = `/metadata/annotations/${escapeToken(LAST_APPLIED_ANNOTATION)}`;

/** What `normalizeForDiff` does not compare is never reported either. */
export function excludedFromRemoval(pointer: string): boolean {
  if (pointer === '/status' || pointer.startsWith('/status/')) return true;
  if (pointer.startsWith('/metadata/')) {
    const end = pointer.indexOf('/', 10);
    const field = pointer.slice(10, end === -1 ? undefined : end);
    if (!KEPT_METADATA.has(field)) return true;
    if (pointer === LAST_APPLIED_POINTER) return true;
  }
  return pointer === '/apiVersion' || pointer === '/kind';
}

/**
 * Pointers (in `live`) of fields that only manual managers own and that `desired` does not
 * set: the drift a `kubectl label`, `kubectl set env`, `kubectl edit` or an old `kubectl apply`
 * leaves behind, which survives a server-side apply dry-run because another manager owns it.
 *
 * A node of the live object is removable when:
 * - `desired` does not hold it, walking `desired` along the same field-set path (`f:x` →
 *   property x; `k:{…}` → the element whose key fields are equal; `v:` → the equal element;
 *   `i:n` → index n);
 * - every managedFields entry whose set holds the node or anything beneath it is manual
 *   (`isManual`, and never `selfManager`); an entry of a creation manager counts as manual
 *   only where last-applied-configuration holds the node (see `creationManagers`);
 * - and it is owned whole: as a leaf or through `.`, or every live child of it is removable.
 * Only the highest removable node is returned (a whole list element or map key, not each leaf
 * under it), in document order. Fields owned by controllers are never returned.
 */
export function fieldsToRemove(
  live: KubeObject,
  desired: KubeObject,
  isManual: (manager: string) => boolean = isManualManager,
  selfManager = 'kube-drift',
  options: FieldsToRemoveOptions = {},
): string[] {
  // Every node of the tree is held by the entry that named it, so with no manual entry no node
  // is removable: the tree is not built (most objects of a plan, their managers all controllers
  // and kube-drift; 10% of what a 1,000-object plan allocated).
  const named = live.metadata?.managedFields;
  if (!named?.some((entry) => entry.manager !== selfManager && isManual(entry.manager ?? ''))) return [];
  const index = ownershipIndex(live);
  if (!index) return [];
  const exclude = options.exclude ?? excludedFromRemoval;
  const listed = options.creationManagers && new Set(options.creationManagers);
  const isCreation = listed ? (m: string) => listed.has(m) : isCreationManager;
  // Per entry: 0 not manual, 1 manual, 2 manual only where last-applied holds the field.
  const kind = index.entries.map((entry) => {
    const manager = entry.manager ?? '';
    if (manager === selfManager || !isManual(manager)) return 0;
    return entry.operation === 'Update' && isCreation(manager) && !options.creationUnchecked ? 2 : 1;
  });
  const lastApplied = parseLastApplied(live);
  const { positions } = index;

  const allManual = (node: OwnershipNode, applied: Maybe): boolean => {
    for (const entry of node.coveredBy) {
      const k = kind[entry];
      if (k === 0 || (k === 2 && applied === ABSENT)) return false;
    }
    return true;
  };

  const removable = (node: OwnershipNode, value: unknown, applied: Maybe, pointer: string): boolean => {
    if (!allManual(node, applied)) return false;
    const children = typeof value === 'object' && value !== null ? liveChildren(node, value, positions) : [];
    // Removing the parent would take an excluded field (last-applied-configuration) with it.
    for (const child of children) if (exclude(`${pointer}/${child.token}`)) return false;
    if (node.ownedBy.length > 0) return true;
    if (typeof value !== 'object' || value === null) return false;
    for (const child of children) {
      const path = `${pointer}/${child.token}`;
      if (!child.node || !removable(child.node, child.value, positions.childOf(applied, child.key), path))
        return false;
    }
    return true;
  };

  const out: string[] = [];
  const walk = (node: OwnershipNode, value: unknown, want: Maybe, applied: Maybe, pointer: string): void => {
    if (node.children.size === 0) return;
    for (const child of liveChildren(node, value, positions, true)) {
      if (!child.node) continue;
      const path = `${pointer}/${child.token}`;
      if (exclude(path)) continue;
      const wantChild = positions.childOf(want, child.key);
      const appliedChild = positions.childOf(applied, child.key);
      if (wantChild === ABSENT && removable(child.node, child.value, appliedChild, path)) out.push(path);
      else walk(child.node, child.value, wantChild, appliedChild, path);
    }
  };
  walk(index.root, live, desired, lastApplied, '');
  return out;
}

function parseLastApplied(live: KubeObject): Maybe {
  const text = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string') return ABSENT;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return ABSENT;
  }
}
