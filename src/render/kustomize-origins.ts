import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject, SourceLocation } from '../model.ts';
import { collectManifests } from './manifests.ts';
import { kustomizationFileIn, repoRelative } from './paths.ts';

interface Origin {
  name: string;
  namespace: string | undefined;
  source: SourceLocation;
}

interface Transform {
  prefix: string;
  suffix: string;
  namespace: string | undefined;
}

const MAX_DEPTH = 10;

/**
 * Matches kustomize's output back to the plain resource files the kustomization (and its bases)
 * list, so a report can point at the file and line a user edits rather than at the
 * kustomization. Best effort: generated, remote or unmatchable objects get undefined.
 */
export async function traceKustomizeOrigins(
  dir: string,
  repoRoot: string,
): Promise<(object: KubeObject) => SourceLocation | undefined> {
  const byKind = new Map<string, Origin[]>();
  try {
    await collect(dir, repoRoot, { prefix: '', suffix: '', namespace: undefined }, byKind, 0);
  } catch {
    // The kustomize run itself reports real problems; tracing only ever adds detail.
  }
  return (object) => {
    const candidates = byKind.get(object.kind) ?? [];
    const matching = (name: string) => candidates.filter((o) => o.name === name);
    let found = matching(object.metadata.name);
    if (found.length > 1)
      found = found.filter((o) => (o.namespace ?? '') === (object.metadata.namespace ?? ''));
    return found.length === 1 ? found[0].source : undefined;
  };
}

async function collect(
  dir: string,
  repoRoot: string,
  outer: Transform,
  byKind: Map<string, Origin[]>,
  depth: number,
): Promise<void> {
  const file = kustomizationFileIn(dir);
  if (!file || depth > MAX_DEPTH) return;
  const kustomization = parse(await readFile(file, 'utf8'), { maxAliasCount: 100 }) as Record<
    string,
    unknown
  > | null;
  if (!kustomization || typeof kustomization !== 'object') return;
  const str = (key: string) => (typeof kustomization[key] === 'string' ? (kustomization[key] as string) : '');
  // An outer kustomization's prefix wraps the inner one's; the outermost namespace wins.
  const transform: Transform = {
    prefix: outer.prefix + str('namePrefix'),
    suffix: str('nameSuffix') + outer.suffix,
    namespace: outer.namespace ?? (str('namespace') || undefined),
  };
  const entries = [kustomization.resources, kustomization.bases].flatMap((v) => (Array.isArray(v) ? v : []));
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry.includes('://') || entry.startsWith('github.com/')) continue;
    const path = join(dir, entry);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      await collect(path, repoRoot, transform, byKind, depth + 1);
    } else if (info?.isFile()) {
      const rel = repoRelative(repoRoot, path);
      const { objects } = collectManifests(await readFile(path, 'utf8'), rel);
      for (const { object, source } of objects) {
        const origins = byKind.get(object.kind) ?? [];
        origins.push({
          name: transform.prefix + object.metadata.name + transform.suffix,
          namespace: transform.namespace ?? object.metadata.namespace,
          source,
        });
        // Kustomize leaves some kinds (Namespace, CRDs) unprefixed: allow the plain name too.
        if (transform.prefix || transform.suffix) {
          origins.push({ name: object.metadata.name, namespace: object.metadata.namespace, source });
        }
        byKind.set(object.kind, origins);
      }
    }
  }
}
