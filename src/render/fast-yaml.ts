// Fast path for well-formed manifests: js-yaml's event parser, with the line each object starts on.
import {
  constructFromEvents,
  defineScalarTag,
  EVENT_ID,
  type Event,
  FAILSAFE_SCHEMA,
  mergeTag,
  NOT_RESOLVED,
  parseEvents,
  Schema,
} from 'js-yaml';
import { blockDocument } from './block-yaml.ts';
import { BOOL_FIRST_CHARS, NULL_FIRST_CHARS, NUMBER_FIRST_CHARS, resolvePlainScalar } from './scalars.ts';

// The `yaml` package gives exact error positions and snippets but parses a few MB/s; js-yaml's
// event parser is several times faster. Well-formed files take this path; anything unusual
// (an error, an alias, a tag, a List whose items need their own lines) goes to the `yaml` path,
// which is the reference: unit tests check that both give the same objects and lines.

// Each tag names the first characters its values can start with (scalars.ts): js-yaml then
// asks no tag about a scalar that starts otherwise, as most keys and names do, where it asked
// all three before the default string tag took it.
function plainTag(tagName: string, firstChars: string[], accept: (value: unknown) => boolean) {
  return defineScalarTag(tagName, {
    implicit: true,
    implicitFirstChars: firstChars,
    identify: accept,
    resolve: (source: string, isExplicit: boolean) => {
      if (isExplicit) return NOT_RESOLVED;
      const value = resolvePlainScalar(source);
      return accept(value) ? value : NOT_RESOLVED;
    },
  });
}

const KUBECTL_SCHEMA = new Schema([
  ...FAILSAFE_SCHEMA.tags,
  plainTag('tag:yaml.org,2002:null', NULL_FIRST_CHARS, (v) => v === null),
  plainTag('tag:yaml.org,2002:bool', BOOL_FIRST_CHARS, (v) => typeof v === 'boolean'),
  plainTag('tag:yaml.org,2002:float', NUMBER_FIRST_CHARS, (v) => typeof v === 'number'),
  mergeTag,
]);

export interface FastDocument {
  value: unknown;
  /** Offset of the document's content in the text (-1 when it has none). */
  offset: number;
}

// A line starting with `---` and a space or its end starts a document; YAML forbids such a line
// inside any scalar, so the text splits there without parsing it.
const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/gm;

/**
 * The documents of a text, or undefined when the text needs the careful parser. Each document
 * is parsed on its own, so only one document's parser events are alive at a time (tool output
 * runs to megabytes of CRDs).
 */
export function fastDocuments(text: string): FastDocument[] | undefined {
  const documents: FastDocument[] = [];
  for (const { start, part } of documentParts(text)) {
    const parsed = partDocuments(part);
    if (!parsed) return undefined;
    for (const { value, offset } of parsed)
      documents.push({ value, offset: offset < 0 ? -1 : offset + start });
  }
  return documents;
}

/** The text cut at each `---` line: each part with its offset in the text. */
export function documentParts(text: string): { start: number; part: string }[] {
  const starts = [0];
  for (const match of text.matchAll(DOCUMENT_START)) if (match.index > 0) starts.push(match.index);
  return starts.map((start, i) => ({ start, part: text.slice(start, starts[i + 1] ?? text.length) }));
}

function partDocuments(text: string): FastDocument[] | undefined {
  const block = blockDocument(text);
  return block ? [block] : eventDocuments(text);
}

/** A part's documents by js-yaml's event parser; exported for the tests of block-yaml.ts. */
export function eventDocuments(text: string): FastDocument[] | undefined {
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(text, {});
    // Tags, anchors, aliases and directives are rare in manifests and each has subtleties;
    // leave them to `yaml`. Judged on the parsed events, not the text: a CEL rule such as
    // `'!has(self.x)'` in a CRD is a plain string.
    if (events.some(needsCarefulParser)) return undefined;
    values = constructFromEvents(events, { source: text, schema: KUBECTL_SCHEMA, maxAliases: 0 });
  } catch {
    return undefined;
  }
  const offsets: number[] = [];
  let depth = 0;
  let awaitingRoot = false;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      offsets.push(-1);
      awaitingRoot = true;
      depth++;
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      depth--;
      continue;
    }
    if (awaitingRoot && depth === 1) {
      awaitingRoot = false;
      if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE)
        offsets[offsets.length - 1] = event.start;
      else if (event.type === EVENT_ID.SCALAR) offsets[offsets.length - 1] = event.valueStart;
    }
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) depth++;
  }
  if (offsets.length !== values.length) return undefined;
  return values.map((value, i) => ({ value, offset: offsets[i] }));
}

function needsCarefulParser(event: Event): boolean {
  switch (event.type) {
    case EVENT_ID.ALIAS:
      return true;
    case EVENT_ID.DOCUMENT:
      return event.directives.length > 0;
    case EVENT_ID.POP:
      return false;
    default:
      return event.anchorStart !== -1 || event.tagStart !== -1;
  }
}
