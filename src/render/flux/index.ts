// Renders what Flux would apply from a `clusters/<name>` path: its Kustomizations, followed
// through the Kustomizations they produce in dependsOn order, and its HelmReleases.
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { basename, join, normalize, relative, resolve, sep } from 'node:path';
import { InputError } from '../../errors.ts';
import { confinement } from '../confine.ts';
import { scratchDir } from '../scratch.ts';
import { noKeys } from '../sops/keys.ts';
import { findTool } from '../tools.ts';
import { buildKustomization } from './build.ts';
import { ClusterKeys } from './cluster-keys.ts';
import { inferFluxRoot, relativeTo } from './detect.ts';
import type { KustomizationSpec } from './kustomization.ts';
import { DependencyCycleError, findCycle, orderByDependsOn } from './order.ts';
import { renderRelease } from './release.ts';
import {
  depIds,
  type FluxRenderState,
  indexObjects,
  namespaceOf,
  type PendingKustomization,
  sourceRoot,
} from './state.ts';
import type { FluxIgnoreRule, FluxRenderOptions, FluxRenderResult } from './types.ts';

export type { FluxGroup, FluxIgnoreRule, FluxRenderOptions, FluxRenderResult } from './types.ts';

export async function renderFlux(options: FluxRenderOptions): Promise<FluxRenderResult> {
  const checkout = resolve(options.repoRoot);
  // A Flux repository kept in a subdirectory of the checkout: spec.paths are relative to it.
  const roots = new Set(options.paths.map((path) => inferFluxRoot(checkout, path)));
  const repoRoot = roots.size === 1 ? [...roots][0] : checkout;
  const paths = options.paths.map((path) => relativeTo(checkout, repoRoot, path));
  const scratch = scratchDir('flux');
  const tree = join(scratch.path, 'repo');
  const checkoutFile = (path: string) =>
    relative(checkout, join(repoRoot, relative(tree, path)))
      .split(sep)
      .join('/') || '.';
  // A copy, because Flux writes kustomization files into spec.path and the checkout must stay untouched.
  // Symlinks are copied as written, so one inside the repository still points inside the copy.
  await cp(repoRoot, tree, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !['.git', 'node_modules'].includes(basename(source)),
  });
  const state: FluxRenderState = {
    options,
    tree,
    work: scratch.path,
    kubectl: options.tools?.kubectl ?? findTool('kubectl'),
    // Nothing outside the copy is read: spec.path, chart paths and every file they name stay in it.
    confine: confinement(tree, checkoutFile, repoRoot),
    checkoutFile,
    gitRepositories: { 'flux-system/flux-system': '.', ...options.gitRepositories },
    decryption: { keys: options.sopsKeys ?? noKeys(), tree, fileName: checkoutFile },
    clusterKeys: options.readDecryptionSecret
      ? new ClusterKeys({
          read: options.readDecryptionSecret,
          onSecret: (secret) => options.onSecret?.(secret),
          warn: (message) => options.helmContext?.warn(message),
        })
      : undefined,
    result: { objects: [], groups: [], errors: [], undecrypted: [] },
    configData: new Map(),
    decryptedData: new Set(),
    sources: new Map(),
    kustomizations: new Map(),
    releases: new Map(),
  };
  try {
    for (const path of paths) await renderGivenPath(state, path, repoRoot);
    await renderKustomizations(state);
    await renderReleases(state);
    return state.result;
  } finally {
    await scratch.remove();
  }
}

/**
 * A given path is built as Flux's bootstrap Kustomization would build it (with decryption);
 * its objects go to the Kustomization that points at the same path when there is one.
 */
async function renderGivenPath(state: FluxRenderState, path: string, repoRoot: string): Promise<void> {
  const dir = join(state.tree, path);
  if (!existsSync(dir)) throw new InputError(`flux path '${path}' does not exist in ${repoRoot}`);
  const spec: KustomizationSpec = { path, decryption: { provider: 'sops' } };
  const objects = await buildKustomization(state, dir, spec, path, 'flux-system');
  indexObjects(state, objects);
  const self = [...state.kustomizations.values()].some(({ object }) => {
    const root = sourceRoot(
      state,
      object.spec?.sourceRef as { kind: string; name: string },
      namespaceOf(object),
    );
    return root !== undefined && normalize(join(root, String(object.spec?.path ?? './'))) === normalize(dir);
  });
  if (self) return;
  state.result.objects.push(...objects);
  state.result.groups.push({
    name: path,
    kind: 'Kustomization',
    namespace: '',
    suspended: false,
    dependsOn: [],
  });
}

/**
 * Flux reconciles a Kustomization once its dependencies are ready; new Kustomizations
 * appear as their parents render, so the order is decided step by step.
 */
async function renderKustomizations(state: FluxRenderState): Promise<void> {
  const rendered = new Set<string>();
  for (;;) {
    const waiting = [...state.kustomizations.values()].filter((k) => !rendered.has(k.id));
    if (waiting.length === 0) return;
    const ready = waiting.filter((k) =>
      k.dependsOn.every((dep) => rendered.has(dep) || !state.kustomizations.has(dep)),
    );
    if (ready.length === 0) {
      const cycle = findCycle(waiting) ?? waiting.map((k) => k.id);
      const error = new DependencyCycleError(cycle.map((id) => `Kustomization ${id}`));
      for (const k of waiting) {
        rendered.add(k.id);
        state.result.errors.push({ group: `Kustomization ${k.id}`, message: error.message });
      }
      return;
    }
    for (const k of ready) {
      rendered.add(k.id);
      await renderKustomization(state, k);
    }
  }
}

async function renderKustomization(state: FluxRenderState, pending: PendingKustomization): Promise<void> {
  const { object, id } = pending;
  const spec = (object.spec ?? {}) as KustomizationSpec & Record<string, unknown>;
  const group = `Kustomization ${id}`;
  const namespace = namespaceOf(object);
  state.result.groups.push({
    name: group,
    kind: 'Kustomization',
    namespace,
    objectName: object.metadata.name,
    suspended: spec.suspend === true,
    dependsOn: pending.dependsOn.map((dep) => `Kustomization ${dep}`),
    ignore: spec.ignore as FluxIgnoreRule[] | undefined,
    ignoreOrigin: `${group} spec.ignore`,
    prune: spec.prune as boolean | undefined,
  });
  const ref = spec.sourceRef as { kind: string; name: string; namespace?: string } | undefined;
  const root = sourceRoot(state, ref, namespace);
  if (root === undefined) {
    state.result.errors.push({
      group,
      message: `sourceRef ${ref?.kind}/${ref?.namespace || namespace}/${ref?.name} is not this repository; map it to a path in the checkout to render it`,
    });
    return;
  }
  try {
    const objects = await buildKustomization(state, join(root, spec.path ?? './'), spec, group, namespace);
    indexObjects(state, objects);
    state.result.objects.push(...objects);
  } catch (error) {
    state.result.errors.push({ group, message: error instanceof Error ? error.message : String(error) });
  }
}

async function renderReleases(state: FluxRenderState): Promise<void> {
  const nodes = [...state.releases.entries()].map(([id, object]) => ({
    id,
    object,
    dependsOn: depIds(object.spec, namespaceOf(object)),
  }));
  let ordered = nodes;
  try {
    ordered = orderByDependsOn(nodes);
  } catch (error) {
    if (!(error instanceof DependencyCycleError)) throw error;
    for (const node of nodes)
      state.result.errors.push({ group: `HelmRelease ${node.id}`, message: error.message });
    ordered = [];
  }
  for (const node of ordered) await renderRelease(state, node);
}
