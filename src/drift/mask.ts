// Secret values never leave the engine: masked in objects before diffing, and a Redactor as
// the last line of defence that every output passes through.

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

// ---------------------------------------------------------------------------------------------

/** Values shorter than this are not redacted: they would blank out ordinary words. */
const MIN_LENGTH = 4;
/** Lines of a multi-line value are redacted on their own (YAML block scalars split them) from this length on. */
const MIN_LINE_LENGTH = 16;

/**
 * Replaces every registered secret value in a text with `***`, longest match first. Values are
 * indexed by their first four characters, so a text is scanned once whatever the number of
 * values (one map lookup per position), instead of a regular expression with thousands of
 * alternatives.
 */
export class Redactor {
  private readonly byPrefix = new Map<string, string[]>();
  private readonly known = new Set<string>();
  private unsorted = new Set<string[]>();

  add(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_LENGTH || this.known.has(secret)) return;
    this.known.add(secret);
    const prefix = secret.slice(0, MIN_LENGTH);
    const list = this.byPrefix.get(prefix);
    if (!list) this.byPrefix.set(prefix, [secret]);
    else {
      list.push(secret);
      this.unsorted.add(list);
    }
  }

  /** A value as it may appear in outputs: raw, JSON-escaped, and its long lines. */
  private addValue(value: string): void {
    this.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.add(escaped);
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) {
        const trimmed = line.trim();
        if (trimmed.length >= MIN_LINE_LENGTH) this.add(trimmed);
      }
    }
  }

  /** Every `data` value raw (base64) and decoded, every `stringData` value raw and encoded. */
  addSecretObject(object: KubeObject): void {
    // Only Secrets: registering a ConfigMap's values would mask them wherever they appear.
    if (!isSecret(object)) return;
    const data = object.data;
    if (isPlainObject(data)) {
      for (const value of Object.values(data)) {
        if (typeof value !== 'string') continue;
        this.addValue(value);
        const bytes = Buffer.from(value, 'base64');
        const decoded = bytes.toString('utf8');
        // Binary values cannot show up in text outputs decoded; only valid UTF-8 is worth a match.
        if (!decoded.includes('\uFFFD')) this.addValue(decoded);
      }
    }
    const stringData = object.stringData;
    if (isPlainObject(stringData)) {
      for (const value of Object.values(stringData)) {
        if (typeof value !== 'string') continue;
        this.addValue(value);
        this.add(Buffer.from(value, 'utf8').toString('base64'));
      }
    }
    const applied = object.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
    if (typeof applied === 'string') {
      try {
        const parsed = JSON.parse(applied) as unknown;
        if (isPlainObject(parsed)) this.addSecretObject({ ...parsed, metadata: { name: '' } } as KubeObject);
      } catch {
        // Unreadable: maskSecrets hides the whole annotation.
      }
    }
  }

  get size(): number {
    return this.known.size;
  }

  redact(text: string): string {
    if (this.byPrefix.size === 0 || text.length < MIN_LENGTH) return text;
    if (this.unsorted.size > 0) {
      // Longest first, so a value that contains another is masked whole.
      for (const list of this.unsorted) list.sort((a, b) => b.length - a.length);
      this.unsorted = new Set();
    }
    let out = '';
    let copied = 0;
    const last = text.length - MIN_LENGTH;
    for (let i = 0; i <= last; ) {
      const candidates = this.byPrefix.get(text.slice(i, i + MIN_LENGTH));
      let match = '';
      if (candidates) {
        for (const candidate of candidates) {
          if (text.startsWith(candidate, i)) {
            match = candidate;
            break;
          }
        }
      }
      if (match) {
        out += text.slice(copied, i) + MASK;
        i += match.length;
        copied = i;
      } else {
        i++;
      }
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}
