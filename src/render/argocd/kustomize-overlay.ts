// An Application's `kustomize` options as Argo CD applies them (`kustomize edit set
// nameprefix`, `set image`, `add label`, …): written here as an overlay kustomization that
// points at the Application's path, in a private copy of the repository.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { KustomizeSource } from './types.ts';

/** Whether the Application sets any option that changes what its kustomization builds. */
export function hasKustomizeOptions(options: KustomizeSource | undefined): options is KustomizeSource {
  if (!options) return false;
  return Object.entries(options).some(
    ([key, value]) => key !== 'version' && value !== undefined && value !== '',
  );
}

/**
 * One `images` entry as `kustomize edit set image` reads it:
 * `[<name>=]<image>[:<tag>][@<digest>]`; without `name=`, the image's own name.
 */
export function imageOverride(spec: string): {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
} {
  const eq = spec.indexOf('=');
  const name = eq === -1 ? undefined : spec.slice(0, eq);
  let image = eq === -1 ? spec : spec.slice(eq + 1);
  let digest: string | undefined;
  let tag: string | undefined;
  const at = image.indexOf('@');
  if (at !== -1) {
    digest = image.slice(at + 1);
    image = image.slice(0, at);
  }
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) {
    tag = image.slice(colon + 1);
    image = image.slice(0, colon);
  }
  const entry: { name: string; newName?: string; newTag?: string; digest?: string } = { name: name ?? image };
  if (name !== undefined && image !== name) entry.newName = image;
  if (tag !== undefined) entry.newTag = tag;
  if (digest !== undefined) entry.digest = digest;
  return entry;
}

/**
 * The overlay kustomization for `options`, written `up` directories below the repository
 * root, for the Application's `path` (relative to the root). Patch files are relative to the
 * path, as Argo CD reads them; they are inlined so that the overlay loads nothing but its base.
 */
export function overlayKustomization(
  options: KustomizeSource,
  path: string,
  up: string,
  root: string,
): Record<string, unknown> {
  const base = posix.join(up, path);
  const overlay: Record<string, unknown> = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [base],
  };
  if (options.namePrefix) overlay.namePrefix = options.namePrefix;
  if (options.nameSuffix) overlay.nameSuffix = options.nameSuffix;
  if (options.namespace) overlay.namespace = options.namespace;
  if (options.commonLabels && Object.keys(options.commonLabels).length > 0)
    overlay.commonLabels = options.commonLabels;
  if (options.commonAnnotations && Object.keys(options.commonAnnotations).length > 0)
    overlay.commonAnnotations = options.commonAnnotations;
  if (options.images?.length) overlay.images = options.images.map(imageOverride);
  if (options.replicas?.length)
    overlay.replicas = options.replicas.map((r) => ({ name: r.name, count: Number(r.count) }));
  if (options.components?.length) overlay.components = options.components.map((c) => posix.join(base, c));
  if (options.patches?.length)
    overlay.patches = options.patches.map((patch) => {
      const { path: file, ...rest } = patch as { path?: string } & Record<string, unknown>;
      return file === undefined ? rest : { ...rest, patch: readFileSync(join(root, path, file), 'utf8') };
    });
  return overlay;
}
