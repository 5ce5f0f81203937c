// Finds Flux Kustomization objects in a path without building it: to tell a Flux path from a
// plain one (source: auto), and to find the root Flux's paths are relative to when the
// Flux repository is a subdirectory of the checkout.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const FLUX_KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';

export interface FoundKustomization {
  /** The file it was found in (absolute). */
  file: string;
  name: string;
  namespace: string;
  /** `spec.path`, as written. */
  path?: string;
  sourceRef?: { kind?: string; name?: string; namespace?: string };
}

// As the plain walk (plain.ts): hidden directories (.git, .github CI configs) and node_modules are never read.
function skippedDir(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

function yamlFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return ['.yaml', '.yml'].includes(extname(path)) ? [path] : [];
  const files: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skippedDir(entry.name)) files.push(...yamlFiles(join(path, entry.name)));
    } else if (['.yaml', '.yml'].includes(extname(entry.name))) files.push(join(path, entry.name));
  }
  return files;
}

/** Flux Kustomizations written in the YAML files under `path` (a directory or one file). */
export function findFluxKustomizations(path: string): FoundKustomization[] {
  const found: FoundKustomization[] = [];
  for (const file of yamlFiles(path)) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes(`${FLUX_KUSTOMIZE_GROUP}/`)) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) continue; // Templates and broken files are not ours to judge here.
      const object = doc.toJS() as {
        apiVersion?: unknown;
        kind?: unknown;
        metadata?: { name?: string; namespace?: string };
        spec?: { path?: string; sourceRef?: FoundKustomization['sourceRef'] };
      } | null;
      if (
        typeof object?.apiVersion !== 'string' ||
        !object.apiVersion.startsWith(`${FLUX_KUSTOMIZE_GROUP}/`) ||
        object.kind !== 'Kustomization' ||
        !object.metadata?.name
      ) {
        continue;
      }
      found.push({
        file,
        name: object.metadata.name,
        namespace: object.metadata.namespace || 'default',
        path: object.spec?.path,
        sourceRef: object.spec?.sourceRef,
      });
    }
  }
  return found;
}

/** True when the YAML under `path` holds Flux Kustomization objects. */
export function isFluxPath(path: string): boolean {
  return findFluxKustomizations(path).length > 0;
}

/**
 * The directory Flux's `spec.path`s are relative to, for a cluster path given relative to
 * the checkout: when a Kustomization in it points (through a GitRepository) at the path
 * itself, as Flux's bootstrap one does (`./clusters/production` found in
 * `fleet/clusters/production` means the root is `fleet`). Else the checkout itself.
 */
export function inferFluxRoot(repoRoot: string, path: string): string {
  const given = normalize(path)
    .split(sep)
    .filter((part) => part !== '' && part !== '.');
  for (const kustomization of findFluxKustomizations(join(repoRoot, path))) {
    if (kustomization.sourceRef?.kind !== 'GitRepository' || !kustomization.path) continue;
    const target = normalize(kustomization.path)
      .split(sep)
      .filter((part) => part !== '' && part !== '.');
    if (target.length === 0 || target.includes('..') || target.length > given.length) continue;
    const suffix = given.slice(given.length - target.length);
    if (suffix.join('/') === target.join('/'))
      return join(repoRoot, ...given.slice(0, given.length - target.length));
  }
  return repoRoot;
}

/** `path` (relative to the checkout) relative to `root`, with `/` separators. */
export function relativeTo(repoRoot: string, root: string, path: string): string {
  return relative(root, join(repoRoot, path)).split(sep).join('/') || '.';
}
