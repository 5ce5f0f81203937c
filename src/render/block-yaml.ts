// The quickest path for the YAML most manifests are written in: block mappings and sequences,
// plain and quoted scalars (on one line or folded over several, as controller-gen writes CRD
// descriptions), literal block scalars (`|`) and one-line flow lists. It reads the text line by
// line and builds the objects directly, where js-yaml's event parser (fast-yaml.ts) makes an
// event object per node and a result object per scalar first: a plan of 1,000 generated objects
// allocated 23 MB parsing them that way, a quarter of its whole run.
//
// Anything else gives up (`undefined`) before a value is returned, and the part goes to the
// event parser, then to `yaml`, exactly as before: anchors, aliases, tags, directives, folded or
// indented block scalars, escapes other than \" \\ \/ \n \t, flow maps, complex or duplicate
// keys, keys that are not strings, tabs in indentation, CR line ends and control characters.
// Unit tests check that whatever it does return is what the event parser returns, value and
// offset, on every manifest in the test fixtures and on cases built to sit at each edge.
import {
  type Cursor,
  continued,
  ESCAPED,
  flowList,
  indentOf,
  literal,
  multiLineQuoted,
  quoted,
  quotedEnd,
  startsOddly,
  UNSUPPORTED,
} from './block-scalars.ts';
import { resolvePlainScalar } from './scalars.ts';

export interface BlockDocument {
  value: unknown;
  /** Offset of the document's root node in the part. */
  offset: number;
}

// Characters YAML forbids in a stream, and the line ends and BOM this parser does not handle.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
const UNHANDLED_CHARACTERS = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f\x85\r\u2028\u2029\ufeff]/;

/**
 * The part's document (a part is the text from one `---` line to the next, fast-yaml.ts), or
 * undefined when the part is outside the subset, or holds no node (the event parser decides
 * what an empty document is).
 */
export function blockDocument(text: string): BlockDocument | undefined {
  if (UNHANDLED_CHARACTERS.test(text)) return undefined;
  const cursor = linesOf(text);
  try {
    if (text.startsWith('---')) {
      // Nothing may follow the marker but a comment: `--- |` and `--- !tag` are for the others.
      const rest = text.slice(3, cursor.ends[0]).trimStart();
      if (rest !== '' && rest[0] !== '#') return undefined;
      cursor.line = 1;
    }
    const first = nextContent(cursor);
    if (first < 0) return undefined;
    const indent = indentOf(cursor, first);
    const offset = cursor.starts[first] + indent;
    const value = nodeAt(cursor, indent);
    if (nextContent(cursor) >= 0) return undefined;
    return { value, offset };
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
}

function linesOf(text: string): Cursor {
  const starts: number[] = [];
  const ends: number[] = [];
  // No line after the text's last line break.
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    starts.push(start);
    ends.push(end === -1 ? text.length : end);
    start = end === -1 ? text.length : end + 1;
  }
  return { text, starts, ends, line: 0 };
}

/** Moves to the next line with content (not blank, not only a comment); -1 at the end. */
function nextContent(cursor: Cursor): number {
  const { text, starts, ends } = cursor;
  for (; cursor.line < starts.length; cursor.line++) {
    let i = starts[cursor.line];
    const end = ends[cursor.line];
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i === end || text[i] === '#') continue;
    // A document end marker or a directive: the event parser knows what they mean.
    if (i === starts[cursor.line] && (text.startsWith('...', i) || text[i] === '%')) throw UNSUPPORTED;
    return cursor.line;
  }
  return -1;
}

/** Whether the line at `indent` is a sequence entry: `-` then a space or the line's end. */
function isEntry(cursor: Cursor, line: number, indent: number): boolean {
  const i = cursor.starts[line] + indent;
  return cursor.text[i] === '-' && (i + 1 === cursor.ends[line] || cursor.text[i + 1] === ' ');
}

/** The block node whose first line is the cursor's, indented by `indent`. */
function nodeAt(cursor: Cursor, indent: number): unknown {
  const line = cursor.line;
  if (isEntry(cursor, line, indent)) return sequence(cursor, indent);
  const start = cursor.starts[line] + indent;
  if (keyEnd(cursor.text, start, cursor.ends[line]) < 0) throw UNSUPPORTED;
  return mapping(cursor, indent, start);
}

function sequence(cursor: Cursor, indent: number): unknown[] {
  const { text } = cursor;
  const items: unknown[] = [];
  for (;;) {
    const line = cursor.line;
    const end = cursor.ends[line];
    let p = cursor.starts[line] + indent + 1;
    while (p < end && text.charCodeAt(p) === 32) p++;
    if (p === end || text[p] === '#') items.push(nested(cursor, indent, false));
    else if (text[p] === '-' && (p + 1 === end || text[p + 1] === ' ')) throw UNSUPPORTED;
    else if (keyEnd(text, p, end) >= 0) items.push(mapping(cursor, p - cursor.starts[line], p));
    else items.push(inline(cursor, indent, p));
    const next = nextContent(cursor);
    if (next < 0) return items;
    const at = indentOf(cursor, next);
    if (at > indent) throw UNSUPPORTED;
    if (at < indent || !isEntry(cursor, next, indent)) return items;
  }
}

function mapping(cursor: Cursor, indent: number, firstKey: number): Record<string, unknown> {
  const { text } = cursor;
  const map: Record<string, unknown> = {};
  let start = firstKey;
  for (;;) {
    const end = cursor.ends[cursor.line];
    const colon = keyEnd(text, start, end);
    if (colon < 0) throw UNSUPPORTED;
    const key = keyOf(text, start, colon);
    if (Object.hasOwn(map, key) || key === '__proto__' || key === '<<') throw UNSUPPORTED;
    let p = colon + 1;
    while (p < end && text.charCodeAt(p) === 32) p++;
    map[key] = p === end || text[p] === '#' ? nested(cursor, indent, true) : inline(cursor, indent, p);
    const next = nextContent(cursor);
    if (next < 0) return map;
    const at = indentOf(cursor, next);
    if (at < indent) return map;
    if (at > indent || isEntry(cursor, next, indent)) throw UNSUPPORTED;
    start = cursor.starts[next] + indent;
  }
}

/**
 * The offset of the `:` that ends the key starting at `start`, or -1 when the line holds no
 * key there. A plain key ends at the first `:` followed by a space or the line's end; a quoted
 * key at its closing quote, which that `:` must follow.
 */
function keyEnd(text: string, start: number, end: number): number {
  const c = text[start];
  if (c === '"' || c === "'") {
    const close = quotedEnd(text, start, end);
    return close >= 0 && text[close + 1] === ':' && (close + 2 === end || text[close + 2] === ' ')
      ? close + 1
      : -1;
  }
  if (startsOddly(text, start, end)) return -1;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 58 /* : */ && (i + 1 === end || text.charCodeAt(i + 1) === 32)) return i;
    if (ch === 35 /* # */ && text.charCodeAt(i - 1) === 32) return -1;
  }
  return -1;
}

function keyOf(text: string, start: number, colon: number): string {
  const c = text[start];
  if (c === '"' || c === "'") return quoted(text, start, colon - 1);
  const key = text.slice(start, colon).trimEnd();
  // `true:`, `1:` or `~:` would be keys of another type, written back as another string.
  if (key === '' || resolvePlainScalar(key) !== key || key.includes('\t')) throw UNSUPPORTED;
  return key;
}

/** The value on the lines below a key or a `-` with nothing after it. */
function nested(cursor: Cursor, indent: number, inMapping: boolean): unknown {
  cursor.line++;
  const next = nextContent(cursor);
  if (next < 0) return null;
  const at = indentOf(cursor, next);
  if (at > indent) return nodeAt(cursor, at);
  // A mapping's value may be a sequence at the mapping's own indentation (kubectl writes them so).
  if (inMapping && at === indent && isEntry(cursor, next, indent)) return sequence(cursor, indent);
  return null;
}

/** A value that starts on the line, at `p`, inside a node indented by `indent`. */
function inline(cursor: Cursor, indent: number, p: number): unknown {
  const { text } = cursor;
  const end = cursor.ends[cursor.line];
  const c = text[p];
  let value: unknown;
  let after: number;
  if (c === '|') return literal(cursor, indent, p);
  if (c === '"' || c === "'") {
    const close = quotedEnd(text, p, end);
    if (close === ESCAPED) throw UNSUPPORTED;
    if (close >= 0) {
      value = quoted(text, p, close);
      after = close + 1;
    } else {
      // Closed on a later line; `after` is then on that line.
      [value, after] = multiLineQuoted(cursor, indent, p);
    }
  } else if (c === '[') {
    const close = text.indexOf(']', p);
    if (close < 0 || close >= end) throw UNSUPPORTED;
    value = flowList(text, p + 1, close);
    after = close + 1;
  } else if (c === '{') {
    if (text[p + 1] !== '}') throw UNSUPPORTED;
    value = {};
    after = p + 2;
  } else {
    if (startsOddly(text, p, end)) throw UNSUPPORTED;
    let stop = end;
    for (let i = p; i < end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 35 /* # */ && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) {
        stop = i;
        break;
      }
      if (
        ch === 58 /* : */ &&
        (i + 1 === end || text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 9)
      )
        throw UNSUPPORTED;
    }
    const first = text.slice(p, stop).trimEnd();
    // A comment ends the scalar on its line; else it may go on, on lines indented more.
    value = resolvePlainScalar(stop === end ? continued(cursor, indent, first) : first);
    after = cursor.ends[cursor.line];
  }
  // Only spaces and a comment may follow a quoted or flow value on its line.
  const rest = text.slice(after, cursor.ends[cursor.line]);
  if (rest.trim() !== '' && !/^[ \t]+#/.test(rest)) throw UNSUPPORTED;
  cursor.line++;
  return value;
}
