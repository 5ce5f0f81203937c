// Which live objects a target owns: the owner labels find candidates, but only an entry in
// the target's inventory makes one prunable (a labelled copy made by hand is not ours).

import { identityOf, type KubeObject, type ObjectRef } from '../model.ts';
import { OWNER_LABEL, OWNER_LABEL_VALUE, OWNER_NAME_LABEL } from './normalize.ts';

/** The owner labels kube-drift puts on what it applies for a target. */
export function ownerLabels(target: string): Record<string, string> {
  return { [OWNER_LABEL]: OWNER_LABEL_VALUE, [OWNER_NAME_LABEL]: target };
}

export function ownerSelector(target: string): string {
  return `${OWNER_LABEL}=${OWNER_LABEL_VALUE},${OWNER_NAME_LABEL}=${target}`;
}

export function hasOwnerLabels(object: KubeObject, target: string): boolean {
  const labels = object.metadata?.labels ?? {};
  return labels[OWNER_LABEL] === OWNER_LABEL_VALUE && labels[OWNER_NAME_LABEL] === target;
}

/** A live object, keyed by identity (group, kind, namespace, name). */
export interface LiveCandidate {
  identity: string;
  object: KubeObject;
}

/**
 * The live objects prune may delete: each one is in the target's inventory, still carries
 * the target's owner labels, and has left Git. All three, or it is left alone.
 */
export function selectDeletions(
  candidates: Iterable<LiveCandidate>,
  inventory: Iterable<ObjectRef>,
  inGit: ReadonlySet<string>,
  target: string,
): LiveCandidate[] {
  const recorded = new Set([...inventory].map(identityOf));
  return [...candidates].filter(
    (c) => recorded.has(c.identity) && !inGit.has(c.identity) && hasOwnerLabels(c.object, target),
  );
}
