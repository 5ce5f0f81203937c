// Finds Argo CD Applications and ApplicationSets in a path without rendering it: whether a path
// is an Argo CD path (source: auto).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ARGO_KINDS = new Set(['Application', 'ApplicationSet']);

function yamlFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return ['.yaml', '.yml'].includes(extname(path)) ? [path] : [];
  const files: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...yamlFiles(child));
    else if (['.yaml', '.yml'].includes(extname(entry.name))) files.push(child);
  }
  return files;
}

/** True when the YAML under `path` (a directory or one file) holds an Argo CD Application or ApplicationSet. */
export function isArgoPath(path: string): boolean {
  for (const file of yamlFiles(path)) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('argoproj.io/')) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) continue;
      const object = doc.toJS() as { apiVersion?: unknown; kind?: unknown } | null;
      if (
        typeof object?.apiVersion === 'string' &&
        object.apiVersion.startsWith('argoproj.io/') &&
        typeof object.kind === 'string' &&
        ARGO_KINDS.has(object.kind)
      )
        return true;
    }
  }
  return false;
}
