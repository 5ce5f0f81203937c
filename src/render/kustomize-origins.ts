// Traces kustomize's output back to the resource file and line each object came from.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject, SourceLocation } from '../model.ts';
import { type DocumentHead, documentHeads } from './document-heads.ts';
import { collectManifests } from './manifests.ts';
import { kustomizationFileIn, repoRelative } from './paths.ts';

interface Origin {
  name: string;
  namespace: string | undefined;
  source: SourceLocation;
  /** Made by a configMapGenerator or secretGenerator: kustomize appends a content hash to the name. */
  generated?: boolean;
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
    if (found.length === 0) {
      const hashed = /^(.*)-[a-z0-9]{10}$/.exec(object.metadata.name)?.[1];
      found = candidates.filter((o) => o.generated && (o.name === object.metadata.name || o.name === hashed));
    }
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
  // Components add their resources under this kustomization's transforms, as resources do.
  const entries = [kustomization.resources, kustomization.bases, kustomization.components].flatMap((v) =>
    Array.isArray(v) ? v : [],
  );
  addGenerated(kustomization, await readFile(file, 'utf8'), repoRelative(repoRoot, file), transform, byKind);
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry.includes('://') || entry.startsWith('github.com/')) continue;
    const path = join(dir, entry);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      await collect(path, repoRoot, transform, byKind, depth + 1);
    } else if (info?.isFile()) {
      const file = repoRelative(repoRoot, path);
      for (const { kind, name, namespace, line } of headsOf(await readFile(path, 'utf8'), file)) {
        const source = { file, line };
        const origins = byKind.get(kind) ?? [];
        origins.push({
          name: transform.prefix + name + transform.suffix,
          namespace: transform.namespace ?? namespace,
          source,
        });
        // Kustomize leaves some kinds (Namespace, CRDs) unprefixed: allow the plain name too.
        if (transform.prefix || transform.suffix) origins.push({ name, namespace, source });
        byKind.set(kind, origins);
      }
    }
  }
}

/** Each object's kind, name, namespace and line: read from the lines where they are plain, else parsed. */
function headsOf(text: string, file: string): DocumentHead[] {
  return (
    documentHeads(text) ??
    collectManifests(text, file).objects.map(({ object, source }) => ({
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      line: source.line,
    }))
  );
}

/** ConfigMaps and Secrets a kustomization's generators make, each at the line of its `name:`. */
function addGenerated(
  kustomization: Record<string, unknown>,
  text: string,
  file: string,
  transform: Transform,
  byKind: Map<string, Origin[]>,
): void {
  const lines = text.split('\n');
  for (const [key, kind] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    const generators = kustomization[key];
    if (!Array.isArray(generators)) continue;
    for (const generator of generators) {
      const name = (generator as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') continue;
      const at = lines.findIndex((line) =>
        new RegExp(`^\\s*-?\\s*name:\\s*["']?${escapeRegExp(name)}["']?\\s*(#.*)?$`).test(line),
      );
      const namespace = (generator as { namespace?: unknown }).namespace;
      const origins = byKind.get(kind) ?? [];
      origins.push({
        name: transform.prefix + name + transform.suffix,
        namespace: transform.namespace ?? (typeof namespace === 'string' ? namespace : undefined),
        source: { file, line: at + 1 || 1 },
        generated: true,
      });
      byKind.set(kind, origins);
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
