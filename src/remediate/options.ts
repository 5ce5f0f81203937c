// What remediation is asked to do and what it reports back: the contract between the flow and
// the remediation verbs (apply stages, takeover, prune, health waits, inventory).

import type { ChangeSet } from '../model.ts';
import type { Redactor } from '../redaction.ts';

export interface RemediateOptions {
  target: string;
  fieldManager: string;
  /** Managers whose fields are taken over before each apply (see PlanOptions.takeoverManagers). */
  takeoverManagers?: readonly string[];
  concurrency: number;
  prune: boolean;
  wait: boolean;
  timeoutSeconds: number;
  force: boolean;
  dryRun: boolean;
  maxDeletions: number;
  inventoryNamespace: string;
  suspend: boolean;
  skipUnhealthy: boolean;
  redactor: Redactor;
  /** Who applies (a normalized repository URL, or the owner setting): recorded in the inventory; another owner's target is refused. */
  owner: string;
  /** The paths rendered, recorded in the inventory with the owner. */
  paths: string[];
}

export interface UnhealthyObject {
  subject: string;
  reason: string;
}

export interface RemediationResult {
  /** Entries as done: created / configured / unchanged / deleted / skipped (with a note); failures in errors. */
  changeSet: ChangeSet;
  unhealthy: UnhealthyObject[];
  /** True when the cluster still differs from Git: skipped, failed, dry-run or unpruned changes. */
  driftRemaining: boolean;
}

export interface RemediateHooks {
  info(message: string): void;
  warning(message: string): void;
}

/** A note added to an entry's own, after it. */
export function joinNote(note: string | undefined, more: string): string {
  return note ? `${note}; ${more}` : more;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
