// The scalars of the block parser (block-yaml.ts): plain and quoted ones that go on over lines,
// literal block scalars and one-line flow lists, read from the lines of a part of a YAML text.
import { resolvePlainScalar } from './scalars.ts';

/** Thrown (never escapes block-yaml.ts) when the text is outside the subset. */
export const UNSUPPORTED = new Error('outside the block subset');

export interface Cursor {
  text: string;
  /** Start offset of each line, and its end (the offset of its line feed, or the text's end). */
  starts: number[];
  ends: number[];
  line: number;
}

/** The offset of the line's first character that is not a space (the line's end when blank). */
function contentStart(cursor: Cursor, line: number): number {
  const { text } = cursor;
  const end = cursor.ends[line];
  let i = cursor.starts[line];
  while (i < end && text.charCodeAt(i) === 32) i++;
  return i;
}

/** Spaces before the line's first character; a tab among them is outside the subset. */
export function indentOf(cursor: Cursor, line: number): number {
  const i = contentStart(cursor, line);
  if (i < cursor.ends[line] && cursor.text.charCodeAt(i) === 9) throw UNSUPPORTED;
  return i - cursor.starts[line];
}

/** A folded scalar with `piece` added: after a space, or a line feed for each blank line between. */
function fold(folded: string, blanks: number, piece: string): string {
  return blanks > 0 ? `${folded}${'\n'.repeat(blanks)}${piece}` : `${folded} ${piece}`;
}

/** A character no plain scalar of the subset starts with (indicators, and `- `, `? `, `: `). */
export function startsOddly(text: string, start: number, end: number): boolean {
  const c = text[start];
  if ('-?:'.includes(c)) return start + 1 === end || text[start + 1] === ' ';
  return ',[]{}#&*!|>\'"%@`'.includes(c);
}

/**
 * A plain scalar's first line and the lines that continue it (indented more than `indent`),
 * folded: a line break between two lines is a space, each blank line between them a line feed
 * (controller-gen writes CRD descriptions so). The cursor is left on its last line. A line that
 * could be read another way (`: `, ` #`, a tab) is the event parser's.
 */
export function continued(cursor: Cursor, indent: number, first: string): string {
  const { text, starts, ends } = cursor;
  let folded = first;
  let blanks = 0;
  for (let line = cursor.line + 1; line < starts.length; line++) {
    const end = ends[line];
    const i = contentStart(cursor, line);
    if (i === end) {
      blanks++;
      continue;
    }
    if (i - starts[line] <= indent || text[i] === '#') break;
    const content = text.slice(i, end).trimEnd();
    // Any character but `:` may start a line that goes on (a CEL rule's `&&`, a quote); `- ` and
    // `? ` read like entries, so those are left to the event parser.
    if (/^(?::|[-?](?: |$))|: |:$| #|\t/.test(content)) throw UNSUPPORTED;
    folded = fold(folded, blanks, content);
    blanks = 0;
    cursor.line = line;
  }
  return folded;
}

/** quotedEnd's answer for an escape in double quotes that is left to the event parser. */
export const ESCAPED = -2;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t' };

/** A double-quoted scalar's text with its escapes read (only those in ESCAPES get here). */
function unescaped(raw: string): string {
  return raw.includes('\\') ? raw.replace(/\\(.)/g, (_, c: string) => ESCAPES[c]) : raw;
}

/** The offset of the quote that closes the one at `start` on the same line, -1, or ESCAPED. */
export function quotedEnd(text: string, start: number, end: number): number {
  return closingQuote(text, text[start], start + 1, end);
}

function closingQuote(text: string, q: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = text[i];
    if (c === '\\' && q === '"') {
      // The common escapes are read here; any other is the event parser's.
      if (!Object.hasOwn(ESCAPES, text[i + 1] ?? '')) return ESCAPED;
      i++;
      continue;
    }
    if (c !== q) continue;
    if (q === "'" && text[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}

/**
 * A quoted scalar that goes on over lines indented more than `indent`, folded as a plain one is
 * (continued, above): its value, and the offset after its closing quote, with the cursor on
 * that quote's line. Leading or trailing spaces at a fold, and an escape at a line's end, are
 * the event parser's.
 */
export function multiLineQuoted(cursor: Cursor, indent: number, open: number): [string, number] {
  const { text, starts, ends } = cursor;
  const q = text[open];
  // Each line's text, without the spaces around the fold; an escape must not end one.
  const read = (raw: string) => {
    if (raw === '' || raw.endsWith('\\') || raw.includes('\t')) throw UNSUPPORTED;
    return q === '"' ? unescaped(raw) : raw.replaceAll("''", "'");
  };
  let folded = read(text.slice(open + 1, ends[cursor.line]).trimEnd());
  let blanks = 0;
  for (let line = cursor.line + 1; line < starts.length; line++) {
    const end = ends[line];
    const i = contentStart(cursor, line);
    if (i === end) {
      blanks++;
      continue;
    }
    if (i - starts[line] <= indent || text.charCodeAt(i) === 9) throw UNSUPPORTED;
    const close = closingQuote(text, q, i, end);
    if (close === ESCAPED) throw UNSUPPORTED;
    const raw = close === -1 ? text.slice(i, end).trimEnd() : text.slice(i, close);
    if (raw.endsWith(' ')) throw UNSUPPORTED;
    const piece = read(raw);
    folded = fold(folded, blanks, piece);
    blanks = 0;
    if (close !== -1) {
      cursor.line = line;
      return [folded, close + 1];
    }
  }
  throw UNSUPPORTED;
}

export function quoted(text: string, open: number, close: number): string {
  const inner = text.slice(open + 1, close);
  return text[open] === "'" ? inner.replaceAll("''", "'") : unescaped(inner);
}

/** `[a, "b", 'c']` on one line: scalars only, no empty item. */
export function flowList(text: string, start: number, end: number): unknown[] {
  const inner = text.slice(start, end);
  if (inner.trim() === '') return [];
  const items: unknown[] = [];
  for (const raw of inner.split(',')) {
    const item = raw.trim();
    if (item === '') throw UNSUPPORTED;
    const c = item[0];
    if (c === '"' || c === "'") {
      if (quotedEnd(item, 0, item.length) !== item.length - 1) throw UNSUPPORTED;
      items.push(quoted(item, 0, item.length - 1));
    } else {
      if (startsOddly(item, 0, item.length) || /[[\]{}:#\t]/.test(item)) throw UNSUPPORTED;
      items.push(resolvePlainScalar(item));
    }
  }
  return items;
}

/** A literal block scalar: `|`, `|-` or `|+`, its lines indented more than `indent`. */
export function literal(cursor: Cursor, indent: number, p: number): string {
  const { text, starts, ends } = cursor;
  const header = text.slice(p + 1, ends[cursor.line]);
  const chomp = header[0] === '-' || header[0] === '+' ? header[0] : '';
  const rest = header.slice(chomp.length);
  if (rest.trim() !== '' && !/^[ \t]+#/.test(rest)) throw UNSUPPORTED;
  const first = cursor.line + 1;
  if (first >= starts.length) throw UNSUPPORTED;
  const own = indentOf(cursor, first);
  // Leading blank lines, an empty scalar, or content not indented more: the event parser's.
  if (starts[first] + own === ends[first] || own <= indent) throw UNSUPPORTED;
  const lines: string[] = [];
  let line = first;
  let blanks = 0;
  let lastEnd = 0;
  for (; line < starts.length; line++) {
    const start = starts[line];
    const end = ends[line];
    const i = contentStart(cursor, line);
    if (i === end) {
      // A blank line keeps the spaces beyond the scalar's indentation; where that is, is subtle.
      if (i - start > own) throw UNSUPPORTED;
      blanks++;
      continue;
    }
    if (i - start < own) break;
    for (; blanks > 0; blanks--) lines.push('');
    lines.push(text.slice(start + own, end));
    lastEnd = end;
  }
  // The text ends on the scalar's last line, without a line break to keep.
  if (lastEnd === text.length) throw UNSUPPORTED;
  cursor.line = line;
  const body = lines.join('\n');
  if (chomp === '-') return body;
  if (chomp === '+') return `${body}\n${'\n'.repeat(blanks)}`;
  return `${body}\n`;
}
