// Plain directories: the manifest files, kustomizations and charts inside, in order.
import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { detectSource } from './paths.ts';

/** One thing to render inside a plain tree, in the order it appears. */
export type PlainEntry = { kind: 'file'; path: string } | { kind: 'kustomize' | 'helm'; path: string };

const MANIFEST_FILE = /\.(ya?ml|json)$/;

function hidden(name: string): boolean {
  return name.startsWith('.');
}

/**
 * The manifest files of a plain directory, recursively and sorted, and the kustomizations and
 * charts nested in it (rendered as such: their templates and patches are not manifests).
 * Hidden entries and node_modules are skipped; symlinked directories are not followed.
 */
export function plainEntries(dir: string): PlainEntry[] {
  const entries: PlainEntry[] = [];
  const walk = (current: string) => {
    const children = readdirSync(current, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const child of children) {
      if (hidden(child.name) || child.name === 'node_modules') continue;
      const path = join(current, child.name);
      if (child.isDirectory()) {
        const source = detectSource(path);
        if (source === 'plain') walk(path);
        else entries.push({ kind: source, path });
      } else if (MANIFEST_FILE.test(child.name) && isFile(child, path)) {
        entries.push({ kind: 'file', path });
      }
    }
  };
  walk(dir);
  return entries;
}

function isFile(entry: Dirent, path: string): boolean {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
