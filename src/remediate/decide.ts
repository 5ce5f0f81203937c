// Deciding, per planned object, what remediation does with it: apply it, recreate it, take
// over fields and apply, adopt it (label an unchanged object so prune can find it later), or
// leave it alone with the reason in its entry. Pure: no request is made here.

import { hasOwnerLabels, ownerLabels } from '../drift/ownership.ts';
import type { PlannedObject } from '../drift/plan.ts';
import type { ChangeSetEntry, KubeObject, ObjectRef } from '../model.ts';
import { assessHealth, isWorkload } from './health.ts';
import { joinNote } from './options.ts';
import type { Recovery } from './verdict.ts';

/** One object to write, with the entry reported for it. */
export interface Work {
  planned: PlannedObject;
  ref: ObjectRef;
  object: KubeObject;
  entry: ChangeSetEntry;
  /** Unchanged but lacking the owner labels: applied so prune can find it later; reported unchanged. */
  adopt: boolean;
  /** Its kind was unknown at plan time (its CRD is in this change). */
  pendingKind: boolean;
  /** The plan's dry-run was refused because an immutable field changes: these fields. */
  immutable?: string[];
  applied?: boolean;
}

export interface DecideOptions {
  target: string;
  dryRun: boolean;
  skipUnhealthy: boolean;
}

export interface Decisions {
  work: Work[];
  /** Objects not written, with the entry they are reported with. */
  decided: Map<PlannedObject, ChangeSetEntry>;
  /** True when an object with drift is left alone (held, or unhealthy before remediation). */
  heldDrift: boolean;
}

/**
 * `served` tells whether the cluster serves an object's kind now (false: its CRD comes in this
 * change); `redact` masks the text of a dry-run error quoted in a note.
 */
export function decide(
  objects: readonly PlannedObject[],
  recoveries: ReadonlyMap<PlannedObject, Recovery>,
  options: DecideOptions,
  served: (ref: ObjectRef) => boolean,
  redact: (text: string) => string,
): Decisions {
  const result: Decisions = { work: [], decided: new Map(), heldDrift: false };
  for (const p of objects) {
    const pendingKind = !served(p.ref);
    const object = structuredClone(p.applyObject);
    object.metadata.labels = { ...object.metadata.labels, ...ownerLabels(options.target) };
    const base = { planned: p, ref: p.ref, object, adopt: false, pendingKind };
    // Failed dry-runs carry the default action; decide them first.
    const recovery = recoveries.get(p);
    if (recovery?.kind === 'recreate') {
      result.work.push({ ...base, entry: { ...p.entry, action: 'configured' }, immutable: recovery.fields });
      continue;
    }
    if (recovery?.kind === 'takeover') {
      const note = `its dry-run had failed before kube-drift took over fields changed by hand (${redact(p.error!.message)})`;
      result.work.push({ ...base, entry: { ...p.entry, action: 'configured', note } });
      continue;
    }
    if (p.entry.action === 'skipped') {
      result.decided.set(p, p.entry);
      continue;
    }
    if (p.entry.action === 'unchanged') {
      result.decided.set(p, p.entry);
      if (p.live && !hasOwnerLabels(p.live, options.target) && !options.dryRun)
        result.work.push({ ...base, entry: p.entry, adopt: true, pendingKind: false });
      continue;
    }
    const hold = leftAlone(p, options);
    if (hold) {
      result.decided.set(p, { ...p.entry, action: 'skipped', note: hold });
      result.heldDrift = true;
      continue;
    }
    result.work.push({ ...base, entry: p.entry });
  }
  return result;
}

/** Why an object with drift is not applied (its entry's note), or undefined. */
function leftAlone(p: PlannedObject, options: DecideOptions): string | undefined {
  // Values unknown at render time: applying would write their stand-ins.
  const hold = p.desired.valuesNotCompared ? 'not applied' : p.reportOnly;
  if (hold) return joinNote(p.entry.note, hold);
  if (options.skipUnhealthy && p.live && isWorkload(p.live)) {
    const health = assessHealth(p.live);
    if (health.state !== 'healthy') return `left alone: unhealthy before remediation (${health.reason})`;
  }
  return undefined;
}
