// The one way text leaves the process: every Secret value kube-drift sees is registered with a
// Redactor, and every writer (stdout, files, GitHub, webhooks, action outputs, logs) accepts
// only the `Redacted` text that Redactor.redact() returns. Any stage may import this file.

import { dump } from 'js-yaml';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from './model.ts';

declare const redactedBrand: unique symbol;

/**
 * Text that went through a Redactor. Only this module makes one (a lint test keeps `as
 * Redacted` out of every other file), and every writer requires one, so the compiler refuses
 * an output path that skips redaction.
 */
export type Redacted = string & { readonly [redactedBrand]: true };

export const REDACTED_MARK = '***';

/**
 * Values shorter than this are not searched for outside Secrets: masking `a` or `on`
 * everywhere would make reports unreadable. (Inside a Secret every value is `***` whatever
 * its length; see src/drift/mask.ts.)
 */
export const MIN_SECRET_LENGTH = 4;
/**
 * Values shorter than this are masked only as whole words (not inside a run of letters and
 * digits): a Secret holding `changed` must not turn `unchanged` into `un***` in every report.
 * From this length on a value is masked wherever it appears, inside words too.
 */
export const WHOLE_WORD_BELOW = 8;
/** Lines of a multi-line value (a PEM key) are masked on their own from this length on. */
const MIN_LINE_LENGTH = 16;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The scalar values inside a value that is itself a document: YAML or JSON (a mapping or a
 * list), or dotenv lines (`KEY=value`). Anything else has no leaves.
 */
export function leavesOf(value: string): string[] {
  if (!/[:=\n]/.test(value)) return [];
  const leaves: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') leaves.push(node);
    // Booleans are not secrets, and masking `true` everywhere would make reports unreadable.
    else if (typeof node === 'number') leaves.push(String(node));
    else if (Array.isArray(node)) node.forEach(walk);
    else if (isRecord(node)) Object.values(node).forEach(walk);
  };
  try {
    const parsed = parseYaml(value, { logLevel: 'error', uniqueKeys: false }) as unknown;
    if (typeof parsed === 'object' && parsed !== null) walk(parsed);
  } catch {
    // Not YAML: may still be dotenv.
  }
  for (const line of value.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(.*?)\s*$/.exec(line);
    if (match) leaves.push(match[1].replace(/^(['"])(.*)\1$/, '$2'));
  }
  return leaves.filter((leaf) => !NOT_SECRET.has(leaf.toLowerCase()));
}

const PLAIN_IN_DOUBLE_QUOTES = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * The value inside YAML double quotes, as `kube-drift render` prints a string that needs them.
 * A string of megabytes overflows js-yaml's checks; render prints such objects as JSON, whose
 * escaping addValue registers anyway.
 */
export function yamlDoubleQuoted(value: string): string {
  // Printable ASCII other than `"` and `\` is written as it is: most values, without a dump.
  if (PLAIN_IN_DOUBLE_QUOTES.test(value)) return value;
  try {
    return dump(value, { quoteStyle: 'double', forceQuotes: true, lineWidth: -1 }).trimEnd().slice(1, -1);
  } catch (error) {
    if (error instanceof RangeError) return value;
    throw error;
  }
}

const STARTS_SIZE = 1 << 16;

/** A hash of the two characters of `text` at `i`, below STARTS_SIZE. */
function startOf(text: string, i: number): number {
  return ((text.charCodeAt(i) << 7) ^ text.charCodeAt(i + 1)) & (STARTS_SIZE - 1);
}

const NOT_SECRET = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off']);

const WORD_CHAR = /[A-Za-z0-9]/;

/** Whether `value` at `start` of `text` stands alone: no letter or digit right before or after. */
function isWord(text: string, start: number, value: string): boolean {
  const before = start > 0 ? text[start - 1] : '';
  const after = text[start + value.length] ?? '';
  return !(before && WORD_CHAR.test(before)) && !(after && WORD_CHAR.test(after));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Replaces every registered secret value in a text with `***`, longest match first. Values are
 * indexed by their first four characters, so a text is scanned once whatever the number of
 * values (one map lookup per position), instead of a regular expression with thousands of
 * alternatives.
 */
export class Redactor {
  private readonly byPrefix = new Map<string, string[]>();
  /**
   * Which pairs of first characters some value starts with (hashed, so a few others pass too):
   * most positions of a long text are passed over with two character reads, no substring.
   */
  private readonly starts = new Uint8Array(STARTS_SIZE);
  private readonly known = new Set<string>();
  private unsorted = new Set<string[]>();
  /** Raw values already registered, by where they were found (`data`, `stringData`, `applied`). */
  private readonly processed = new Map<string, Set<string>>();

  private readonly onRegister?: (value: string) => void;

  /** `onRegister` sees each value once as it is registered: the action passes `core.setSecret`. */
  constructor(onRegister?: (value: string) => void) {
    this.onRegister = onRegister;
  }

  add(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || this.known.has(secret)) return;
    // A Secret holding `true` or `null` tells one bit; masking the word everywhere made the JSON
    // report invalid (`"driftDetected": ***`) and every report unreadable.
    if (NOT_SECRET.has(secret.toLowerCase())) return;
    this.known.add(secret);
    const prefix = secret.slice(0, MIN_SECRET_LENGTH);
    this.starts[startOf(secret, 0)] = 1;
    const list = this.byPrefix.get(prefix);
    if (!list) this.byPrefix.set(prefix, [secret]);
    else {
      list.push(secret);
      this.unsorted.add(list);
    }
    this.onRegister?.(secret);
  }

  /** A value as it may appear in outputs: raw, JSON-escaped, YAML-escaped, base64, and its long lines. */
  addValue(value: string): void {
    this.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.add(escaped);
    // YAML's double quotes escape more than JSON's (`\e`, `\_` for a no-break space, `\L`).
    const yamlEscaped = yamlDoubleQuoted(value);
    if (yamlEscaped !== value && yamlEscaped !== escaped) this.add(yamlEscaped);
    if (value.length >= MIN_SECRET_LENGTH) this.add(Buffer.from(value, 'utf8').toString('base64'));
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) {
        const trimmed = line.trim();
        if (trimmed.length >= MIN_LINE_LENGTH) this.add(trimmed);
      }
    }
  }

  /**
   * A Secret value and, when it is a document (a Helm `values.yaml`, a dotenv file, JSON), each
   * value inside it: those reach outputs on their own once a chart or a substitution uses them.
   */
  private addSecretValue(value: string): void {
    this.addValue(value);
    for (const leaf of leavesOf(value)) this.addValue(leaf);
  }

  /** Every `data` value raw (base64) and decoded, every `stringData` value raw and encoded. */
  addSecretObject(object: KubeObject): void {
    // Only Secrets: registering a ConfigMap's values would mask them wherever they appear.
    if (object.kind !== 'Secret' || object.apiVersion !== 'v1') return;
    const data = object.data;
    if (isRecord(data)) {
      for (const value of Object.values(data)) {
        // The same Secret is seen several times (rendered, planned, live): decode it once.
        if (typeof value !== 'string' || this.seen('data', value)) continue;
        this.add(value);
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        // Binary values cannot show up in text outputs decoded; only valid UTF-8 is worth a match.
        if (!decoded.includes('\uFFFD')) this.addSecretValue(decoded);
      }
    }
    const stringData = object.stringData;
    if (isRecord(stringData)) {
      for (const value of Object.values(stringData))
        if (typeof value === 'string' && !this.seen('stringData', value)) this.addSecretValue(value);
    }
    const applied = object.metadata?.annotations?.[LAST_APPLIED];
    if (typeof applied === 'string' && !this.seen('applied', applied)) {
      try {
        const parsed = JSON.parse(applied) as unknown;
        if (isRecord(parsed)) this.addSecretObject({ ...parsed, metadata: { name: '' } } as KubeObject);
      } catch {
        // Unreadable: maskSecrets hides the whole annotation.
      }
    }
  }

  /** Whether this raw value was registered before, as a `data`, `stringData` or annotation value. */
  private seen(field: string, value: string): boolean {
    // A set per field, not one of `field + value` keys: a value read from JSON keeps its hash,
    // where a joined key was a new string to hash on every look (every Secret is seen 2-3 times).
    let values = this.processed.get(field);
    if (!values) {
      values = new Set();
      this.processed.set(field, values);
    }
    if (values.has(value)) return true;
    values.add(value);
    return false;
  }

  get size(): number {
    return this.known.size;
  }

  redact(text: string): Redacted {
    return this.replace(String(text)) as Redacted;
  }

  /** JSON of a value, redacted: for webhook payloads and report files. */
  redactJson(value: unknown, indent?: number): Redacted {
    return this.redact(JSON.stringify(value, null, indent));
  }

  /**
   * A copy of a JSON value with every string redacted except the keys named in `keep` (at any
   * depth): what the GitHub client does to each request's parameters, URL parameters kept.
   */
  redactStrings<T>(value: T, keep: ReadonlySet<string> = new Set()): T {
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.replace(node);
      if (Array.isArray(node)) return node.map(walk);
      if (!isRecord(node)) return node;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = keep.has(key) ? child : walk(child);
      return out;
    };
    return walk(value) as T;
  }

  private replace(text: string): string {
    if (this.byPrefix.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    if (this.unsorted.size > 0) {
      // Longest first, so a value that contains another is masked whole.
      for (const list of this.unsorted) list.sort((a, b) => b.length - a.length);
      this.unsorted = new Set();
    }
    // Long values first, anywhere; then short ones as whole words, where a `***` left by the
    // first pass counts as a word boundary (a short value right beside a long one goes too).
    return this.scan(this.scan(text, true), false);
  }

  private scan(text: string, long: boolean): string {
    let out = '';
    let copied = 0;
    const last = text.length - MIN_SECRET_LENGTH;
    const starts = this.starts;
    for (let i = 0; i <= last; ) {
      if (starts[startOf(text, i)] === 0) {
        i++;
        continue;
      }
      const candidates = this.byPrefix.get(text.slice(i, i + MIN_SECRET_LENGTH));
      let match = '';
      for (const candidate of candidates ?? []) {
        if (candidate.length >= WHOLE_WORD_BELOW !== long || !text.startsWith(candidate, i)) continue;
        if (!long && !isWord(text, i, candidate)) continue;
        match = candidate;
        break;
      }
      if (match) {
        out += text.slice(copied, i) + REDACTED_MARK;
        i += match.length;
        copied = i;
      } else {
        i++;
      }
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}
