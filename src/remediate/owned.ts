// What a target owns in the cluster while a run goes on: the inventory as read, less entries
// that can no longer be deleted, plus what this run applies. Written back after each stage and
// at the end, failures included, so the inventory always says what is in the cluster.

import type { PlannedDeletion, PlannedObject } from '../drift/plan.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { identityOf, type ObjectRef } from '../model.ts';
import { type Inventory, writeInventory } from './inventory.ts';

export interface OwnedWriter {
  target: string;
  inventoryNamespace: string;
  fieldManager: string;
  owner: string;
  paths: string[];
  dryRun: boolean;
}

export class OwnedObjects {
  private readonly refs = new Map<string, ObjectRef>();
  /** True when the cluster's inventory no longer says what this map does. */
  dirty: boolean;

  /**
   * Keeps the inventory's entries that are still in Git or that prune may still delete
   * (kube-drift's own deletions); the rest (gone, or disowned by hand) are dropped. A claimed
   * inventory, or one whose paths changed, is rewritten even when nothing else changes.
   */
  constructor(
    previous: Inventory,
    objects: readonly PlannedObject[],
    ownDeletions: readonly PlannedDeletion[],
    options: { paths: string[]; claimed: boolean },
  ) {
    const keep = new Set([...objects, ...ownDeletions].map((p) => identityOf(p.ref)));
    this.dirty = options.claimed || !sameItems(previous.paths, options.paths);
    for (const ref of previous.entries) {
      if (keep.has(identityOf(ref))) this.refs.set(identityOf(ref), ref);
      else this.dirty = true;
    }
  }

  /** Records an object as owned; a changed version counts as a change. */
  add(ref: ObjectRef): void {
    const key = identityOf(ref);
    const had = this.refs.get(key);
    if (had && had.version === ref.version) return;
    this.refs.set(key, ref);
    this.dirty = true;
  }

  delete(ref: ObjectRef): void {
    if (this.refs.delete(identityOf(ref))) this.dirty = true;
  }

  entries(): ObjectRef[] {
    return [...this.refs.values()];
  }

  /** Writes the inventory when it changed (never in a dry run); throws what the write threw. */
  async sync(cluster: ClusterObjects, writer: OwnedWriter): Promise<void> {
    if (writer.dryRun || !this.dirty) return;
    await writeInventory(
      cluster,
      writer.target,
      writer.inventoryNamespace,
      this.refs.values(),
      { owner: writer.owner, paths: writer.paths },
      writer.fieldManager,
    );
    this.dirty = false;
  }
}

function sameItems(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}
