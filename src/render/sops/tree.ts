// The document tree sops encrypts and authenticates: ordered mappings, lists and typed
// leaves, read from YAML, JSON, dotenv and binary files the way sops' own stores read them.
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseAllDocuments } from 'yaml';

/** A leaf as sops types it; the type decides the bytes that go into the MAC. */
export type Leaf =
  | { type: 'str'; value: string; raw?: Uint8Array }
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'time'; value: string };

export type TreeValue = Branch | TreeValue[] | Leaf | null;

/** An ordered mapping: sops authenticates values in document order. */
export interface Branch {
  items: { key: string; value: TreeValue }[];
}

export type SopsFormat = 'yaml' | 'json' | 'dotenv' | 'binary';

export class SopsFormatError extends Error {}

export const isBranch = (value: TreeValue): value is Branch =>
  value !== null && !Array.isArray(value) && 'items' in value;
export const isLeaf = (value: TreeValue): value is Leaf =>
  value !== null && !Array.isArray(value) && 'type' in value;

const str = (value: string): Leaf => ({ type: 'str', value });

/** The format sops picks for a file name (its `FormatForPath`). */
export function formatForPath(path: string): SopsFormat {
  if (/\.ya?ml$/.test(path)) return 'yaml';
  if (/\.json$/.test(path)) return 'json';
  if (/\.env$/.test(path)) return 'dotenv';
  return 'binary';
}

/** Parses a file into its documents (YAML may hold several; the others hold one). */
export function parseTree(text: string, format: SopsFormat): Branch[] {
  if (format === 'dotenv') return [parseDotenv(text)];
  const documents = parseAllDocuments(text, { uniqueKeys: true, merge: false });
  const docs = Array.isArray(documents) ? documents : [documents];
  const branches: Branch[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new SopsFormatError(doc.errors[0].message);
    const contents = doc.contents as Node | null;
    if (contents === null || (isScalar(contents) && contents.value === null)) {
      branches.push({ items: [] });
      continue;
    }
    const value = toTree(contents, doc);
    if (!isBranch(value)) throw new SopsFormatError('a document that is not a mapping cannot hold sops data');
    branches.push(value);
  }
  if (format === 'json' && branches.length !== 1) throw new SopsFormatError('expected one JSON object');
  return branches;
}

function toTree(node: Node, doc: Document): TreeValue {
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) throw new SopsFormatError(`alias *${node.source} points at nothing`);
    return toTree(target, doc);
  }
  const target = node;
  if (isMap(target)) {
    const items: Branch['items'] = [];
    for (const pair of target.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key !== 'string')
        throw new SopsFormatError(`only string keys are supported, found ${String(key)}`);
      items.push({ key, value: pair.value === null ? null : toTree(pair.value as Node, doc) });
    }
    return { items };
  }
  if (isSeq(target)) return target.items.map((item) => toTree(item as Node, doc));
  if (isScalar(target)) return scalarLeaf(target);
  throw new SopsFormatError('unsupported YAML node');
}

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/;

/**
 * A scalar resolved as sops' YAML store resolves it (go-yaml v3 into an interface): quoted
 * and block scalars are strings; plain ones may be null, bool, int, float; timestamps stay strings.
 */
function scalarLeaf(node: { type?: string; source?: string; value: unknown; tag?: string }): Leaf | null {
  const plain = node.type === 'PLAIN' && node.tag === undefined;
  if (!plain) {
    if (node.value === null) return null;
    if (typeof node.value === 'string') return str(node.value);
    return str(String(node.source ?? node.value));
  }
  const text = node.source ?? String(node.value);
  if (['', '~', 'null', 'Null', 'NULL'].includes(text)) return null;
  if (['true', 'True', 'TRUE'].includes(text)) return { type: 'bool', value: true };
  if (['false', 'False', 'FALSE'].includes(text)) return { type: 'bool', value: false };
  const digits = text.replaceAll('_', '');
  if (GO_INT.test(digits)) {
    const int = parseGoInt(digits);
    if (int !== undefined) return { type: 'int', value: int };
  }
  if (YAML_FLOAT.test(digits)) return { type: 'float', value: Number(digits) };
  const special: Record<string, number> = {
    '.inf': Infinity,
    '.Inf': Infinity,
    '.INF': Infinity,
    '+.inf': Infinity,
    '-.inf': -Infinity,
    '-.Inf': -Infinity,
    '.nan': NaN,
    '.NaN': NaN,
    '.NAN': NaN,
  };
  if (text in special) return { type: 'float', value: special[text] };
  return str(text);
}

// strconv.ParseInt(s, 0, 64): a leading 0 means octal.
function parseGoInt(text: string): bigint | undefined {
  const negative = text.startsWith('-');
  const body = text.replace(/^[-+]/, '');
  let literal = body;
  if (/^0[0-7]+$/.test(body)) literal = `0o${body.slice(1)}`;
  else if (/^0[oO]/.test(body)) literal = `0o${body.slice(2)}`;
  try {
    const value = BigInt(literal);
    const signed = negative ? -value : value;
    if (signed > 9223372036854775807n || signed < -9223372036854775808n) return undefined;
    return signed;
  } catch {
    return undefined;
  }
}

/** `KEY=value` lines as sops' dotenv store reads them; comments are kept out of the tree. */
function parseDotenv(text: string): Branch {
  const items: Branch['items'] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    if (at === -1) throw new SopsFormatError(`line ${index + 1} is not KEY=value`);
    items.push({ key: line.slice(0, at), value: str(line.slice(at + 1).replaceAll('\\n', '\n')) });
  }
  return { items };
}

/** A plain JavaScript value of a decrypted tree (an object for a branch). */
export function toPlain(value: TreeValue): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(toPlain);
  if (isBranch(value)) {
    const out: Record<string, unknown> = {};
    for (const { key, value: child } of value.items) out[key] = toPlain(child);
    return out;
  }
  if (value.type === 'int') {
    const n = Number(value.value);
    return Number.isSafeInteger(n) ? n : value.value.toString();
  }
  return value.value;
}

/** The text of a leaf as sops writes it into a dotenv file. */
export function leafText(leaf: Leaf): string {
  if (leaf.type === 'bool') return leaf.value ? 'true' : 'false';
  if (leaf.type === 'float') return goFloat(leaf.value);
  return String(leaf.value);
}

/** strconv.FormatFloat(f, 'f', -1, 64): the shortest digits, never an exponent. */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, rest = '', exp] = match;
  const digits = lead + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
