// Secret values never reach a diff: both sides of a Secret masked before comparing, so the
// diff shows which keys changed, never how. Values found anywhere else: src/redaction.ts.

import type { KubeObject } from '../model.ts';
import { isPlainObject, setOwn } from './jsondiff.ts';
import { LAST_APPLIED_ANNOTATION } from './normalize.ts';

export const MASK = '***';
export const MASK_BEFORE = '*** (before)';
export const MASK_AFTER = '*** (after)';

const SECRET_FIELDS = ['data', 'stringData'] as const;

export function isSecret(object: KubeObject | null): object is KubeObject {
  return object !== null && object.kind === 'Secret' && object.apiVersion === 'v1';
}

/**
 * Both sides of a core/v1 Secret with every `data` and `stringData` value masked: `***` where
 * the two sides hold the same value, `*** (before)` / `*** (after)` where it differs or only
 * one side has the key (so the diff still shows which keys changed, never how). With one side
 * null (created or deleted) every value is plain `***`. The same is done inside the
 * `last-applied-configuration` annotation. Other objects are returned as they are.
 */
export function maskSecrets(
  live: KubeObject | null,
  predicted: KubeObject | null,
): { live: KubeObject | null; predicted: KubeObject | null } {
  const liveIsSecret = isSecret(live);
  const predictedIsSecret = isSecret(predicted);
  if (!liveIsSecret && !predictedIsSecret) return { live, predicted };
  const compare = liveIsSecret && predictedIsSecret;
  const liveApplied = lastApplied(liveIsSecret ? live : null);
  const predictedApplied = lastApplied(predictedIsSecret ? predicted : null);
  return {
    live: liveIsSecret
      ? maskObject(
          live,
          compare ? predicted : null,
          MASK_BEFORE,
          liveApplied,
          compare ? predictedApplied : null,
        )
      : live,
    predicted: predictedIsSecret
      ? maskObject(
          predicted,
          compare ? live : null,
          MASK_AFTER,
          predictedApplied,
          compare ? liveApplied : null,
        )
      : predicted,
  };
}

function maskObject(
  object: KubeObject,
  other: KubeObject | null,
  changedMark: string,
  applied: unknown,
  otherApplied: unknown,
): KubeObject {
  const masked: KubeObject = { ...object };
  maskFields(masked, object, other, changedMark);
  const annotations = object.metadata?.annotations;
  if (annotations && Object.hasOwn(annotations, LAST_APPLIED_ANNOTATION)) {
    let text: string;
    if (isPlainObject(applied)) {
      const copy: Record<string, unknown> = { ...applied };
      maskFields(copy, applied, isPlainObject(otherApplied) ? otherApplied : null, changedMark);
      text = JSON.stringify(copy);
    } else {
      // Not JSON we can read: it may still hold the values, so none of it is shown.
      text = MASK;
    }
    masked.metadata = {
      ...object.metadata,
      annotations: { ...annotations, [LAST_APPLIED_ANNOTATION]: text },
    };
  }
  return masked;
}

/** Writes masked copies of `source`'s data/stringData into `target`. */
function maskFields(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  other: Record<string, unknown> | null,
  changedMark: string,
): void {
  for (const field of SECRET_FIELDS) {
    const values = source[field];
    if (values === undefined || values === null) continue;
    if (!isPlainObject(values)) {
      target[field] = MASK;
      continue;
    }
    const otherValues =
      other && isPlainObject(other[field]) ? (other[field] as Record<string, unknown>) : undefined;
    const masked: Record<string, string> = {};
    for (const key of Object.keys(values)) {
      const same =
        other === null ||
        (otherValues !== undefined && Object.hasOwn(otherValues, key) && otherValues[key] === values[key]);
      setOwn(masked, key, same ? MASK : changedMark);
    }
    target[field] = masked;
  }
}

function lastApplied(object: KubeObject | null): unknown {
  const text = object?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
