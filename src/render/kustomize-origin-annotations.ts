// Provenance from kustomize's own origin annotations (`buildMetadata: [originAnnotations]`):
// each built object names the file it was read from (or the kustomization whose generator made
// it), so a report points at the line a user edits, through bases, components and overlays.
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import type { DesiredObject, SourceLocation } from '../model.ts';
import { collectManifests } from './manifests.ts';

export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';

interface Origin {
  path?: string;
  repo?: string;
  configuredIn?: string;
}

export interface OriginOptions {
  /** The directory kustomize built: origin paths are relative to it. */
  buildDir: string;
  /** Files outside this directory are never read (a kustomization may reach anywhere). */
  root: string;
  /** An absolute file path as the report names it. */
  fileName: (path: string) => string;
  /** Keep the annotation on the objects (Flux applies it when the Kustomization asks for it). */
  keep: boolean;
}

/** Sets each object's source from its origin annotation, in place; removes the annotation unless `keep`. */
export async function locateByOrigin(objects: DesiredObject[], options: OriginOptions): Promise<void> {
  const files = new Map<string, Promise<string | undefined>>();
  const read = (path: string) => {
    let text = files.get(path);
    if (!text) {
      text = readFile(path, 'utf8').catch(() => undefined);
      files.set(path, text);
    }
    return text;
  };
  for (const desired of objects) {
    const annotations = desired.object.metadata.annotations;
    const text = annotations?.[ORIGIN_ANNOTATION];
    if (text === undefined) continue;
    if (!options.keep) {
      delete annotations![ORIGIN_ANNOTATION];
      if (Object.keys(annotations!).length === 0) delete desired.object.metadata.annotations;
    }
    const origin = readOrigin(text);
    const file = origin?.repo ? undefined : (origin?.path ?? origin?.configuredIn);
    if (!file) continue;
    const path = resolve(options.buildDir, file);
    const inside = relative(options.root, path);
    if (inside.startsWith('..') || isAbsolute(inside)) continue;
    const content = await read(path);
    if (content === undefined) continue;
    const located = origin?.path
      ? lineOfObject(content, options.fileName(path), desired)
      : lineOfGenerator(content, options.fileName(path), desired.object.metadata.name);
    desired.source = located;
  }
}

function readOrigin(text: string): Origin | undefined {
  try {
    const origin = parse(text) as unknown;
    return typeof origin === 'object' && origin !== null ? (origin as Origin) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The document in `content` that `desired` was built from: the only one of its kind, else the
 * one whose name the built name contains (kustomize adds prefixes and suffixes), longest first.
 */
function lineOfObject(content: string, file: string, desired: DesiredObject): SourceLocation {
  const { objects } = collectManifests(content, file);
  const { kind, metadata } = desired.object;
  const sameKind = objects.filter((o) => o.object.kind === kind);
  if (sameKind.length === 1) return sameKind[0].source;
  const named = sameKind
    .filter(
      (o) => typeof o.object.metadata?.name === 'string' && metadata.name.includes(o.object.metadata.name),
    )
    .sort((a, b) => b.object.metadata.name.length - a.object.metadata.name.length);
  return named[0]?.source ?? { file, line: 1 };
}

/**
 * The line of the generator entry (`- name: x`) in a kustomization file whose name the built
 * object's carries (`x`, prefixed and hashed), longest first; else the file's first line.
 * kustomize records the generator's kind, not its name.
 */
function lineOfGenerator(content: string, file: string, builtName: string): SourceLocation {
  let best: { line: number; length: number } | undefined;
  content.split('\n').forEach((text, index) => {
    const name = /^\s*-?\s*name:\s*["']?([^"'\s#]+)/.exec(text)?.[1];
    if (name && builtName.includes(name) && (!best || name.length > best.length))
      best = { line: index + 1, length: name.length };
  });
  return { file, line: best?.line ?? 1 };
}

/** Whether a kustomization document asks kustomize for origin annotations. */
export function asksForOrigins(kustomization: Record<string, unknown>): boolean {
  return (
    Array.isArray(kustomization.buildMetadata) && kustomization.buildMetadata.includes('originAnnotations')
  );
}

/** The kustomization with origin annotations asked for. */
export function withOrigins(kustomization: Record<string, unknown>): Record<string, unknown> {
  if (asksForOrigins(kustomization)) return kustomization;
  const existing = Array.isArray(kustomization.buildMetadata) ? kustomization.buildMetadata : [];
  return { ...kustomization, buildMetadata: [...existing, 'originAnnotations'] };
}
