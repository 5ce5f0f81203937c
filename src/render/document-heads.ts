// What provenance needs of a resource file (each object's kind, name, namespace and line), read
// from its lines without parsing whole documents: CRD files run to megabytes, and only their
// first lines name the object.
import { resolvePlainScalar } from './scalars.ts';

export interface DocumentHead {
  kind: string;
  name: string;
  namespace: string | undefined;
  /** The line the document's content starts on, as the parsers give it. */
  line: number;
}

const TOP_KEY = /^([A-Za-z_][\w.-]*)\s*:(?:\s+(.*))?$/;
const METADATA_KEY = /^([A-Za-z_][\w.-]*)\s*:(?:\s+(.*))?$/;

/**
 * The heads of every document of a plain block-style YAML text, or undefined when anything
 * is unusual (flow style, JSON, anchors, tags, quotes with escapes, Lists, a document without
 * kind or name, multi-line names): the caller parses those. Best effort, as provenance is:
 * a file kustomize would refuse (duplicate keys elsewhere) may still get heads here.
 */
export function documentHeads(text: string): DocumentHead[] | undefined {
  const heads: DocumentHead[] = [];
  let doc: (Partial<DocumentHead> & { apiVersion?: boolean }) | undefined;
  let inMetadata = false;
  let metadataIndent = -1;
  let lastKey = '';
  const finish = (): boolean => {
    if (doc === undefined) return true;
    const { kind, name, namespace, line, apiVersion } = doc;
    // What the parsers would report as a problem, or expand (Lists), is left to them.
    if (
      !apiVersion ||
      kind === undefined ||
      name === undefined ||
      line === undefined ||
      kind.endsWith('List')
    )
      return false;
    heads.push({ kind, name, namespace, line });
    doc = undefined;
    return true;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (line.startsWith('---')) {
      if (!/^---\s*(#.*)?$/.test(line) || !finish()) return undefined;
      inMetadata = false;
      continue;
    }
    if (/^[%.]/.test(line)) return undefined;
    const indent = line.length - trimmed.length;
    // Tabs matter where this reads keys: at the top level and in metadata.
    if ((indent === 0 || inMetadata) && /^ *\t/.test(line)) return undefined;
    if (indent === 0 && /^-(?:\s|$)/.test(line)) {
      // The items of a top-level key's list (`subjects:` then `- kind: User`), written unindented.
      if (doc === undefined || inMetadata) return undefined;
      continue;
    }
    if (indent === 0) {
      const match = TOP_KEY.exec(line);
      if (!match) return undefined;
      const [, key, rest] = match;
      if (doc === undefined) doc = { line: i + 1 };
      inMetadata = key === 'metadata';
      metadataIndent = -1;
      lastKey = '';
      if (inMetadata && !isEmpty(rest)) return undefined;
      if (key === 'apiVersion') doc.apiVersion = scalar(rest) !== undefined;
      if (key === 'kind') {
        const kind = scalar(rest);
        if (kind === undefined || doc.kind !== undefined) return undefined;
        doc.kind = kind;
      }
      if (key === '<<') return undefined;
      continue;
    }
    if (doc === undefined) return undefined;
    if (!inMetadata) continue;
    if (metadataIndent === -1) metadataIndent = indent;
    if (indent < metadataIndent) return undefined;
    if (indent > metadataIndent) {
      // A name or namespace continued on the next line.
      if (lastKey === 'name' || lastKey === 'namespace') return undefined;
      continue;
    }
    const match = METADATA_KEY.exec(trimmed);
    if (!match) return undefined;
    const [, key, rest] = match;
    lastKey = key;
    if (key === '<<') return undefined;
    if (key !== 'name' && key !== 'namespace') continue;
    const value = scalar(rest);
    if (value === undefined || doc[key] !== undefined) return undefined;
    doc[key] = value;
  }
  return finish() ? heads : undefined;
}

function isEmpty(rest: string | undefined): boolean {
  return rest === undefined || rest.trim() === '' || rest.trimStart().startsWith('#');
}

/** A one-line string scalar, or undefined when it is anything else or needs the parser. */
function scalar(rest: string | undefined): string | undefined {
  if (rest === undefined) return undefined;
  const value = rest.replace(/\s+#.*$/, '').trim();
  if (value === '') return undefined;
  const quoted = /^"([^"\\]*)"$/.exec(value) ?? /^'([^']*)'$/.exec(value);
  if (quoted) return quoted[1] === '' ? undefined : quoted[1];
  if (/^[&*!|>{[@`%"'#,?:-]/.test(value) || value.includes(': ') || value.endsWith(':')) return undefined;
  return typeof resolvePlainScalar(value) === 'string' ? value : undefined;
}
