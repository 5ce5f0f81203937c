// Repository-relative paths for provenance, and which renderer a directory needs.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A path relative to the repository root with `/` separators, as provenance shows it. */
export function repoRelative(repoRoot: string, path: string): string {
  const rel = relative(repoRoot, resolve(repoRoot, path));
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

export function absoluteIn(repoRoot: string, path: string): string {
  return isAbsolute(path) ? path : resolve(repoRoot, path);
}

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function kustomizationFileIn(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(dir, name)).find((file) => existsSync(file));
}

/** How a directory is rendered: by kustomize when it has a kustomization, by helm when it is a chart. */
export function detectSource(dir: string): 'plain' | 'kustomize' | 'helm' {
  if (kustomizationFileIn(dir)) return 'kustomize';
  if (existsSync(join(dir, 'Chart.yaml'))) return 'helm';
  return 'plain';
}
