// YAML and JSON manifest text into desired objects with file:line provenance, as kubectl reads it.
import { type Document, LineCounter, parseAllDocuments, type Tags } from 'yaml';
import type { DesiredObject, KubeObject } from '../model.ts';
import { fastDocuments } from './fast-yaml.ts';
import { isForeignDocument } from './foreign.ts';
import { RenderError, type RenderProblem } from './problems.ts';
import { DOTTED_FLOAT } from './scalars.ts';

export interface ParseOptions {
  /** Added to every line, for text that starts part-way into a file. */
  baseLine?: number;
  group?: string;
}

export interface ParsedManifests {
  objects: DesiredObject[];
  problems: RenderProblem[];
  /** Every document parsed and is plainly not a Kubernetes object (see foreign.ts): a walk may skip the file. */
  foreign?: boolean;
}

// kubectl reads YAML with go-yaml v2 (YAML 1.1): `0644` is octal and `yes`/`on` are booleans, and
// `<<` merges. YAML 1.2 would read `defaultMode: 0644` as 644 and show drift that is not there.
// go-yaml keeps timestamps, `1:20` and `!!binary` as strings, so those tags are dropped.
function kubectlCompatibleTags(tags: Tags): Tags {
  return tags
    .filter((t) =>
      typeof t === 'string'
        ? !['timestamp', 'binary', 'intTime', 'floatTime'].includes(t)
        : t.tag !== 'tag:yaml.org,2002:timestamp' &&
          t.tag !== 'tag:yaml.org,2002:binary' &&
          t.format !== 'TIME',
    )
    .map((t) =>
      // `.` is a string, as go-yaml reads it (scalars.ts).
      typeof t !== 'string' && t.tag === 'tag:yaml.org,2002:float' && t.test?.test('.')
        ? { ...t, test: DOTTED_FLOAT }
        : t,
    );
}

/** Bounds alias expansion so that a "billion laughs" document fails fast instead of eating memory. */
const MAX_ALIAS_COUNT = 100;

const SECRET_KIND = /["']?kind["']?\s*:\s*["']?Secret["']?\s*(?:$|[,}#])/m;

/**
 * Parses multi-document YAML or JSON into desired objects, each pointing at the line where its
 * document (or List item) starts. Empty and `null` documents are skipped; `List` kinds are
 * expanded. Problems are collected, never thrown.
 */
export function collectManifests(text: string, file: string, opts: ParseOptions = {}): ParsedManifests {
  return fastManifests(text, file, opts) ?? carefulManifests(text, file, opts);
}

/** Well-formed manifests, parsed quickly; undefined when anything needs the careful parser. */
export function fastManifests(text: string, file: string, opts: ParseOptions): ParsedManifests | undefined {
  const documents = fastDocuments(text);
  if (!documents) return undefined;
  const objects: DesiredObject[] = [];
  let line = 1 + (opts.baseLine ?? 0);
  let counted = 0;
  for (const { value, offset } of documents) {
    if (value === null || value === undefined) continue;
    // Lists need each item's line, and problems need the careful parser's exact positions.
    if (isList(value) || checkObject(value, '') !== undefined || offset < counted) return undefined;
    for (let i = text.indexOf('\n', counted); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    counted = offset;
    objects.push(desired(value as KubeObject, file, line, opts.group));
  }
  return { objects, problems: [] };
}

/** The `yaml` package: exact positions and messages for every problem. */
export function carefulManifests(text: string, file: string, opts: ParseOptions): ParsedManifests {
  const baseLine = opts.baseLine ?? 0;
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, {
    version: '1.1',
    customTags: kubectlCompatibleTags,
    prettyErrors: true,
    uniqueKeys: true,
    lineCounter,
  });
  const objects: DesiredObject[] = [];
  const problems: RenderProblem[] = [];
  const lineAt = (offset: number) => lineCounter.linePos(offset).line + baseLine;
  // parseAllDocuments returns an EmptyStream (no documents) for empty input.
  const list = Array.isArray(documents) ? documents : [];
  let values = 0;
  let foreign = 0;
  let unparsed = false;

  list.forEach((doc, i) => {
    const documentIndex = i + 1;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const docLine = lineAt(start);
    const isSecret = SECRET_KIND.test(text.slice(doc.range[0], doc.range[2]));
    if (doc.errors.length > 0) {
      unparsed = true;
      for (const error of doc.errors) {
        problems.push({
          file,
          line: error.linePos ? error.linePos[0].line + baseLine : docLine,
          documentIndex,
          message: `invalid YAML in document ${documentIndex}: ${parserMessage(error.message, isSecret)}`,
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      unparsed = true;
      const reason = error instanceof Error ? error.message : String(error);
      problems.push({
        file,
        line: docLine,
        documentIndex,
        message: `invalid YAML in document ${documentIndex}: ${reason}`,
      });
      return;
    }
    if (value === null || value === undefined) return;
    values++;
    if (isForeignDocument(value)) foreign++;

    if (isList(value)) {
      const itemNodes = listItemNodes(doc);
      value.items.forEach((item, j) => {
        const range = itemNodes?.[j]?.range;
        const line = range ? lineAt(range[0]) : docLine;
        const where = `document ${documentIndex}, item ${j + 1}`;
        const problem = checkObject(item, where);
        if (problem) problems.push({ file, line, documentIndex, message: problem });
        else objects.push(desired(item as KubeObject, file, line, opts.group));
      });
      return;
    }
    const problem = checkObject(value, `document ${documentIndex}`);
    if (problem) problems.push({ file, line: docLine, documentIndex, message: problem });
    else objects.push(desired(value as KubeObject, file, docLine, opts.group));
  });
  // A syntax error stops a document before it is counted: such a file is never foreign.
  return !unparsed && values > 0 && foreign === values
    ? { objects, problems, foreign: true }
    : { objects, problems };
}

/** As collectManifests, but throws a RenderError naming every problem in the text. */
export function parseManifests(text: string, file: string, opts: ParseOptions = {}): DesiredObject[] {
  const { objects, problems } = collectManifests(text, file, opts);
  if (problems.length > 0) throw new RenderError(problems);
  return objects;
}

function desired(object: KubeObject, file: string, line: number, group: string | undefined): DesiredObject {
  return group === undefined ? { object, source: { file, line } } : { object, source: { file, line }, group };
}

// yaml's pretty messages end with a snippet of the source; inside a Secret that snippet may be a value.
function parserMessage(message: string, isSecret: boolean): string {
  const [first, ...rest] = message.split('\n');
  const headline = first.replace(/:$/, '');
  if (isSecret) return `${headline} (source not shown: the document is a Secret)`;
  const snippet = rest.join('\n').replace(/^\n+/, '').trimEnd();
  return snippet === '' ? headline : `${headline}:\n${snippet}`;
}

interface ListValue {
  kind: string;
  items: unknown[];
}

function isList(value: unknown): value is ListValue {
  if (!isRecord(value)) return false;
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
}

function listItemNodes(doc: Document): { range?: [number, number, number] | null }[] | undefined {
  const contents = doc.contents as { get?: (key: string, keepScalar: boolean) => unknown } | null;
  const items = contents?.get?.('items', true) as
    | { items?: { range?: [number, number, number] | null }[] }
    | undefined;
  return items?.items;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns why the value is not a Kubernetes object, or undefined when it is one. */
function checkObject(value: unknown, where: string): string | undefined {
  if (!isRecord(value))
    return `${where} is not a Kubernetes object (a mapping with apiVersion, kind and metadata.name)`;
  const missing: string[] = [];
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') missing.push('apiVersion');
  if (typeof value.kind !== 'string' || value.kind === '') missing.push('kind');
  const metadata = value.metadata;
  const name = isRecord(metadata) ? metadata.name : undefined;
  if (typeof name === 'boolean' || typeof name === 'number') {
    // `name: n` or `name: 0644` under YAML 1.1, as kubectl reads it too.
    return `${where} has metadata.name ${String(name)}, which is not a string: quote it`;
  }
  if (typeof name !== 'string' || name === '') missing.push('metadata.name');
  if (missing.length === 0) return undefined;
  return `${where} has no ${missing.join(', ')}`;
}
