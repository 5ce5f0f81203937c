// Renders what Flux would apply from a `clusters/<name>` path: its Kustomizations, followed
// through the Kustomizations they produce in dependsOn order, and its HelmReleases.
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { basename, join, normalize, relative, resolve, sep } from 'node:path';
import { InputError } from '../../errors.ts';
import type { DesiredObject, KubeObject } from '../../model.ts';
import { confinement } from '../confine.ts';
import { HelmRenderContext } from '../helm-run.ts';
import { asksForOrigins, locateByOrigin } from '../kustomize-origin-annotations.ts';
import { collectManifests } from '../manifests.ts';
import { scratchDir } from '../scratch.ts';
import { noKeys, type SopsKeys } from '../sops/keys.ts';
import { findTool } from '../tools.ts';
import type { ChartCredential } from './chart-credentials.ts';
import {
  type DecryptionContext,
  decryptDocuments,
  decryptsWithSops,
  markUndecrypted,
  withDecryptedSources,
} from './decryption.ts';
import { inferFluxRoot, relativeTo } from './detect.ts';
import { type ChartLocation, type HelmReleaseSpec, renderHelmRelease } from './helmrelease.ts';
import {
  buildFluxKustomization,
  fluxKustomization,
  type KustomizationSpec,
  splitDocuments,
  substituteDocuments,
} from './kustomization.ts';
import { DependencyCycleError, findCycle, orderByDependsOn } from './order.ts';
import { composeValues, dataOf, type Values, type ValuesReference } from './values.ts';

export interface FluxRenderOptions {
  /** Absolute path of the checkout. */
  repoRoot: string;
  /** Paths (relative to repoRoot) to start from, e.g. `clusters/production`. */
  paths: string[];
  /** GitRepositories that stand for this checkout: `namespace/name` → path in it. `flux-system/flux-system` → `.` by default. */
  gitRepositories?: Record<string, string>;
  tools?: { kubectl?: string; helm?: string };
  /** Never fetch charts from the network; releases that need one get an error. */
  offline?: boolean;
  /** As kustomize-controller's StrictPostBuildSubstitutions feature gate (on by default since Flux 2.9). */
  strictSubstitution?: boolean;
  /** Sees every Secret the build reads (values, substitutions), to register it for redaction. */
  onSecret?: (secret: KubeObject) => void;
  /** Keys for Kustomizations with `decryption.provider: sops`; without them Secrets are compared by key names. */
  sopsKeys?: SopsKeys;
  /** The cluster HelmReleases render against, and where their notes go; offline when absent. */
  helmContext?: HelmRenderContext;
  /** For private HelmRepositories and OCI registries, each bound to its host. */
  chartCredentials?: readonly ChartCredential[];
}

export interface FluxIgnoreRule {
  paths: string[];
  target?: Record<string, unknown>;
}

export interface FluxGroup {
  /** `Kustomization flux-system/apps` or `HelmRelease podinfo/podinfo`. */
  name: string;
  kind: 'Kustomization' | 'HelmRelease';
  namespace: string;
  /** The Flux object's own name (with `namespace`, what it is in the cluster); absent for a bare path. */
  objectName?: string;
  suspended: boolean;
  /** Group names this one waits for. */
  dependsOn: string[];
  /** Kustomization `spec.ignore`, HelmRelease `spec.driftDetection.ignore`: for this group's objects only. */
  ignore?: FluxIgnoreRule[];
  /** Where the ignore rules are written, for errors: `HelmRelease apps/web spec.driftDetection.ignore`. */
  ignoreOrigin?: string;
  /** HelmRelease `spec.driftDetection.mode` as written (helm-controller reads absent as disabled). */
  driftDetection?: string;
  prune?: boolean;
}

export interface FluxRenderResult {
  objects: DesiredObject[];
  groups: FluxGroup[];
  /** Failures confined to one group (a chart that cannot be fetched, a missing substituteFrom…). */
  errors: { group: string; message: string }[];
  /** Files of objects encrypted whole (kind and name too) that no given key opens: not rendered. */
  undecrypted: string[];
}

const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';
const HELM_GROUP = 'helm.toolkit.fluxcd.io';
const SOURCE_GROUP = 'source.toolkit.fluxcd.io';

type FluxObject = KubeObject & { spec?: Record<string, unknown> };

const apiGroup = (object: KubeObject) => object.apiVersion.split('/')[0];
const namespaceOf = (object: KubeObject) => object.metadata.namespace || 'default';
const idOf = (object: KubeObject) => `${namespaceOf(object)}/${object.metadata.name}`;
const depIds = (spec: Record<string, unknown> | undefined, namespace: string): string[] =>
  ((spec?.dependsOn as { name: string; namespace?: string }[] | undefined) ?? []).map(
    (dep) => `${dep.namespace || namespace}/${dep.name}`,
  );

interface PendingKustomization {
  object: FluxObject;
  id: string;
  dependsOn: string[];
}

export async function renderFlux(options: FluxRenderOptions): Promise<FluxRenderResult> {
  const checkout = resolve(options.repoRoot);
  // A Flux repository kept in a subdirectory of the checkout: spec.paths are relative to it.
  const roots = new Set(options.paths.map((path) => inferFluxRoot(checkout, path)));
  const repoRoot = roots.size === 1 ? [...roots][0] : checkout;
  const paths = options.paths.map((path) => relativeTo(checkout, repoRoot, path));
  /** A path in the temporary tree as a file name relative to the checkout (provenance). */
  const checkoutFile = (path: string) =>
    relative(checkout, join(repoRoot, relative(tree, path)))
      .split(sep)
      .join('/') || '.';
  const kubectl = options.tools?.kubectl ?? findTool('kubectl');
  const gitRepositories: Record<string, string> = {
    'flux-system/flux-system': '.',
    ...options.gitRepositories,
  };
  const scratch = scratchDir('flux');
  const work = scratch.path;
  const tree = join(work, 'repo');
  // A copy, because Flux writes kustomization files into spec.path and the checkout must stay untouched.
  // Symlinks are copied as written, so one inside the repository still points inside the copy.
  await cp(repoRoot, tree, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !['.git', 'node_modules'].includes(basename(source)),
  });
  // Nothing outside the copy is read: spec.path, chart paths and every file they name stay in it.
  const confine = confinement(tree, checkoutFile, repoRoot);

  const result: FluxRenderResult = { objects: [], groups: [], errors: [], undecrypted: [] };
  const configData = new Map<string, Record<string, string>>(); // `Kind/ns/name` → data
  const sources = new Map<string, FluxObject>(); // `Kind/ns/name`
  const kustomizations = new Map<string, PendingKustomization>();
  const releases = new Map<string, FluxObject>();
  const rendered = new Set<string>();

  const index = (objects: DesiredObject[]) => {
    for (const { object } of objects) {
      const key = `${object.kind}/${namespaceOf(object)}/${object.metadata.name}`;
      if ((object.kind === 'ConfigMap' || object.kind === 'Secret') && object.apiVersion === 'v1') {
        if (object.kind === 'Secret') options.onSecret?.(object);
        configData.set(key, dataOf(object));
      } else if (apiGroup(object) === SOURCE_GROUP) sources.set(key, object as FluxObject);
      else if (apiGroup(object) === KUSTOMIZE_GROUP && object.kind === 'Kustomization') {
        const id = idOf(object);
        if (!kustomizations.has(id)) {
          const spec = (object as FluxObject).spec;
          kustomizations.set(id, {
            object: object as FluxObject,
            id,
            dependsOn: depIds(spec, namespaceOf(object)),
          });
        }
      } else if (apiGroup(object) === HELM_GROUP && object.kind === 'HelmRelease') {
        releases.set(idOf(object), object as FluxObject);
      }
    }
  };

  /** The checkout path a GitRepository reference stands for, or undefined when it is not this repository. */
  const sourceRoot = (
    ref: { kind?: string; name?: string; namespace?: string } | undefined,
    namespace: string,
  ) => {
    if (ref?.kind !== 'GitRepository') return undefined;
    const mapped = gitRepositories[`${ref.namespace || namespace}/${ref.name}`];
    return mapped === undefined ? undefined : join(tree, mapped);
  };

  const decryption: DecryptionContext = { keys: options.sopsKeys ?? noKeys(), tree, fileName: checkoutFile };

  const build = async (dir: string, spec: KustomizationSpec, group: string, namespace: string) => {
    const sops = decryptsWithSops(spec);
    const text = sops
      ? await withDecryptedSources(dir, decryption, () => buildFluxKustomization(dir, spec, kubectl, confine))
      : await buildFluxKustomization(dir, spec, kubectl, confine);
    const variables: Record<string, string> = {};
    for (const ref of spec.postBuild?.substituteFrom ?? []) {
      const data = configData.get(`${ref.kind}/${namespace}/${ref.name}`);
      if (data === undefined) {
        if (ref.optional) continue;
        throw new Error(
          `substituteFrom ${ref.kind}/${namespace}/${ref.name} was not found among the objects rendered from the repository`,
        );
      }
      Object.assign(variables, data);
    }
    Object.assign(variables, spec.postBuild?.substitute ?? {});
    const built = sops ? await decryptDocuments(splitDocuments(text), decryption) : splitDocuments(text);
    const documents = spec.postBuild
      ? substituteDocuments(
          built,
          variables,
          options.strictSubstitution ?? true,
          spec.postBuild.substituteStrategy === 'Always',
        )
      : built;
    const file = checkoutFile(dir);
    const parsed = collectManifests(documents.join('---\n'), `${file}/kustomization.yaml`, { group });
    if (parsed.problems.length > 0)
      throw new Error(parsed.problems.map((problem) => problem.message).join('; '));
    const keep = asksForOrigins(fluxKustomization(dir, spec));
    await locateByOrigin(parsed.objects, { buildDir: dir, root: tree, fileName: checkoutFile, keep });
    const { objects, unidentified } = await markUndecrypted(parsed.objects, decryption, sops, group);
    for (const file of unidentified) if (!result.undecrypted.includes(file)) result.undecrypted.push(file);
    const { labels, annotations } = spec.commonMetadata ?? {};
    for (const { object } of objects) {
      if (labels) object.metadata.labels = { ...object.metadata.labels, ...labels };
      if (annotations) object.metadata.annotations = { ...object.metadata.annotations, ...annotations };
    }
    return objects;
  };

  try {
    // The given paths are built as Flux's bootstrap Kustomization would build them; their
    // objects go to the Kustomization that points at the same path when there is one.
    for (const path of paths) {
      const dir = join(tree, path);
      if (!existsSync(dir)) throw new InputError(`flux path '${path}' does not exist in ${repoRoot}`);
      // Decrypted as a bootstrap Kustomization with decryption would; the Kustomization that
      // points at this path, when there is one, builds it again with its own spec.
      const objects = await build(dir, { path, decryption: { provider: 'sops' } }, path, 'flux-system');
      index(objects);
      const self = [...kustomizations.values()].some(({ object }) => {
        const root = sourceRoot(
          object.spec?.sourceRef as { kind: string; name: string },
          namespaceOf(object),
        );
        return (
          root !== undefined && normalize(join(root, String(object.spec?.path ?? './'))) === normalize(dir)
        );
      });
      if (!self) {
        result.objects.push(...objects);
        result.groups.push({
          name: path,
          kind: 'Kustomization',
          namespace: '',
          suspended: false,
          dependsOn: [],
        });
      }
    }

    const renderKustomization = async (pending: PendingKustomization) => {
      const { object, id } = pending;
      const spec = (object.spec ?? {}) as KustomizationSpec & Record<string, unknown>;
      const group = `Kustomization ${id}`;
      result.groups.push({
        name: group,
        kind: 'Kustomization',
        namespace: namespaceOf(object),
        objectName: object.metadata.name,
        suspended: spec.suspend === true,
        dependsOn: pending.dependsOn.map((dep) => `Kustomization ${dep}`),
        ignore: spec.ignore as FluxIgnoreRule[] | undefined,
        ignoreOrigin: `${group} spec.ignore`,
        prune: spec.prune as boolean | undefined,
      });
      const ref = spec.sourceRef as { kind: string; name: string; namespace?: string } | undefined;
      const root = sourceRoot(ref, namespaceOf(object));
      if (root === undefined) {
        result.errors.push({
          group,
          message: `sourceRef ${ref?.kind}/${ref?.namespace || namespaceOf(object)}/${ref?.name} is not this repository; map it to a path in the checkout to render it`,
        });
        return;
      }
      try {
        const objects = await build(join(root, spec.path ?? './'), spec, group, namespaceOf(object));
        index(objects);
        result.objects.push(...objects);
      } catch (error) {
        result.errors.push({ group, message: error instanceof Error ? error.message : String(error) });
      }
    };

    // Flux reconciles a Kustomization once its dependencies are ready; new Kustomizations
    // appear as their parents render, so the order is decided step by step.
    for (;;) {
      const waiting = [...kustomizations.values()].filter((k) => !rendered.has(k.id));
      if (waiting.length === 0) break;
      const ready = waiting.filter((k) =>
        k.dependsOn.every((dep) => rendered.has(dep) || !kustomizations.has(dep)),
      );
      if (ready.length === 0) {
        const cycle = findCycle(waiting) ?? waiting.map((k) => k.id);
        const error = new DependencyCycleError(cycle.map((id) => `Kustomization ${id}`));
        for (const k of waiting) {
          rendered.add(k.id);
          result.errors.push({ group: `Kustomization ${k.id}`, message: error.message });
        }
        break;
      }
      for (const k of ready) {
        rendered.add(k.id);
        await renderKustomization(k);
      }
    }

    const releaseNodes = [...releases.entries()].map(([id, object]) => ({
      id,
      object,
      dependsOn: depIds(object.spec, namespaceOf(object)),
    }));
    let orderedReleases = releaseNodes;
    try {
      orderedReleases = orderByDependsOn(releaseNodes);
    } catch (error) {
      if (!(error instanceof DependencyCycleError)) throw error;
      for (const node of releaseNodes)
        result.errors.push({ group: `HelmRelease ${node.id}`, message: error.message });
      orderedReleases = [];
    }
    for (const { id, object, dependsOn } of orderedReleases) {
      const group = `HelmRelease ${id}`;
      const spec = (object.spec ?? {}) as HelmReleaseSpec & Record<string, unknown>;
      const driftDetection = spec.driftDetection as { mode?: string; ignore?: FluxIgnoreRule[] } | undefined;
      result.groups.push({
        name: group,
        kind: 'HelmRelease',
        namespace: namespaceOf(object),
        suspended: spec.suspend === true,
        dependsOn: dependsOn.map((dep) => `HelmRelease ${dep}`),
        ignore: driftDetection?.ignore,
        ignoreOrigin: `${group} spec.driftDetection.ignore`,
        driftDetection: driftDetection?.mode,
      });
      try {
        const namespace = namespaceOf(object);
        const values = composeValues(
          (spec.valuesFrom as ValuesReference[] | undefined) ?? [],
          spec.values as Values | undefined,
          (kind, name) => configData.get(`${kind}/${namespace}/${name}`),
        );
        const chart = locateChart(spec, namespace, sources, sourceRoot);
        const helm = options.tools?.helm ?? findTool('helm');
        const manifest = await renderHelmRelease(
          { release: object as FluxObject & { spec: HelmReleaseSpec }, chart, values },
          { helm, kubectl },
          {
            workDir: work,
            offline: !!options.offline,
            helmContext: options.helmContext ?? new HelmRenderContext(),
            credentials: options.chartCredentials ?? [],
            confine,
          },
        );
        const file = chart.type === 'dir' ? `${checkoutFile(chart.path)}/Chart.yaml` : `HelmRelease/${id}`;
        const parsed = collectManifests(manifest, file, { group });
        if (parsed.problems.length > 0)
          throw new Error(parsed.problems.map((problem) => problem.message).join('; '));
        // helm template leaves namespace out of objects whose templates omit it; Helm installs
        // them in the release namespace. helm-controller's post-renderers then add
        // spec.commonMetadata, and last label every object with the release it came from.
        const common = spec.commonMetadata as
          | { labels?: Record<string, string>; annotations?: Record<string, string> }
          | undefined;
        for (const desired of parsed.objects) {
          const metadata = desired.object.metadata;
          metadata.namespace ??= spec.targetNamespace || namespace;
          if (common?.annotations) metadata.annotations = { ...metadata.annotations, ...common.annotations };
          metadata.labels = {
            ...metadata.labels,
            ...common?.labels,
            [`${HELM_GROUP}/name`]: object.metadata.name,
            [`${HELM_GROUP}/namespace`]: namespace,
          };
        }
        result.objects.push(...parsed.objects);
      } catch (error) {
        result.errors.push({ group, message: error instanceof Error ? error.message : String(error) });
      }
    }
    return result;
  } finally {
    await scratch.remove();
  }
}

function locateChart(
  spec: HelmReleaseSpec,
  namespace: string,
  sources: Map<string, FluxObject>,
  sourceRoot: (
    ref: { kind: string; name: string; namespace?: string },
    namespace: string,
  ) => string | undefined,
): ChartLocation {
  const source = (kind: string, name: string, ns?: string) => {
    const found = sources.get(`${kind}/${ns || namespace}/${name}`);
    if (!found)
      throw new Error(
        `${kind}/${ns || namespace}/${name} was not found among the objects rendered from the repository`,
      );
    return found;
  };
  if (spec.chartRef) {
    const ref = spec.chartRef;
    const found = source(ref.kind, ref.name, ref.namespace);
    if (ref.kind === 'OCIRepository') {
      const s = found.spec as {
        url: string;
        insecure?: boolean;
        ref?: { tag?: string; semver?: string; digest?: string };
      };
      // As source-controller: a digest wins over a semver range, a range over a tag.
      if (s.ref?.digest) return { type: 'oci', ref: `${s.url}@${s.ref.digest}`, insecure: s.insecure };
      return { type: 'oci', ref: s.url, version: s.ref?.semver ?? s.ref?.tag, insecure: s.insecure };
    }
    if (ref.kind === 'HelmChart') {
      const chartSpec = found.spec as NonNullable<HelmReleaseSpec['chart']>['spec'];
      return locateChart(
        { chart: { spec: chartSpec } },
        found.metadata.namespace || namespace,
        sources,
        sourceRoot,
      );
    }
    throw new Error(`chartRef kind ${ref.kind} is not supported`);
  }
  if (!spec.chart) throw new Error('HelmRelease has neither spec.chart nor spec.chartRef');
  const chartSpec = spec.chart.spec;
  const ref = chartSpec.sourceRef;
  if (ref.kind === 'GitRepository') {
    const root = sourceRoot(ref, namespace);
    if (root === undefined)
      throw new Error(
        `sourceRef GitRepository/${ref.namespace || namespace}/${ref.name} is not this repository`,
      );
    return { type: 'dir', path: join(root, chartSpec.chart), valuesFiles: chartSpec.valuesFiles ?? [] };
  }
  if (ref.kind === 'HelmRepository') {
    const repo = source('HelmRepository', ref.name, ref.namespace).spec as {
      url: string;
      type?: string;
      insecure?: boolean;
    };
    if (repo.type === 'oci' || repo.url.startsWith('oci://')) {
      return {
        type: 'oci',
        ref: `${repo.url.replace(/\/$/, '')}/${chartSpec.chart}`,
        version: chartSpec.version,
        insecure: repo.insecure,
      };
    }
    return { type: 'repo', url: repo.url, chart: chartSpec.chart, version: chartSpec.version };
  }
  throw new Error(`chart sourceRef kind ${ref.kind} is not supported`);
}
