// Renders what Flux would apply from a `clusters/<name>` path: its Kustomizations, followed
// through the Kustomizations they produce in dependsOn order, and its HelmReleases.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, normalize, relative, resolve, sep } from 'node:path';
import { InputError } from '../../errors.ts';
import type { DesiredObject, KubeObject } from '../../model.ts';
import { asksForOrigins, locateByOrigin } from '../kustomize-origin-annotations.ts';
import { collectManifests } from '../manifests.ts';
import { findTool } from '../tools.ts';
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
  const work = await mkdtemp(join(tmpdir(), 'kube-drift-flux-'));
  const tree = join(work, 'repo');
  // A copy, because Flux writes kustomization files into spec.path and the checkout must stay untouched.
  await cp(repoRoot, tree, {
    recursive: true,
    filter: (source) => !['.git', 'node_modules'].includes(basename(source)),
  });

  const result: FluxRenderResult = { objects: [], groups: [], errors: [] };
  const configData = new Map<string, Record<string, string>>(); // `Kind/ns/name` → data
  const sources = new Map<string, FluxObject>(); // `Kind/ns/name`
  const kustomizations = new Map<string, PendingKustomization>();
  const releases = new Map<string, FluxObject>();
  const rendered = new Set<string>();

  const index = (objects: DesiredObject[]) => {
    for (const { object } of objects) {
      const key = `${object.kind}/${namespaceOf(object)}/${object.metadata.name}`;
      if ((object.kind === 'ConfigMap' || object.kind === 'Secret') && object.apiVersion === 'v1') {
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

  const build = async (dir: string, spec: KustomizationSpec, group: string, namespace: string) => {
    const text = await buildFluxKustomization(dir, spec, kubectl);
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
    const documents = spec.postBuild
      ? substituteDocuments(
          splitDocuments(text),
          variables,
          options.strictSubstitution ?? true,
          spec.postBuild.substituteStrategy === 'Always',
        )
      : splitDocuments(text);
    const file = checkoutFile(dir);
    const parsed = collectManifests(documents.join('---\n'), `${file}/kustomization.yaml`, { group });
    if (parsed.problems.length > 0)
      throw new Error(parsed.problems.map((problem) => problem.message).join('; '));
    const keep = asksForOrigins(fluxKustomization(dir, spec));
    await locateByOrigin(parsed.objects, { buildDir: dir, root: tree, fileName: checkoutFile, keep });
    const { labels, annotations } = spec.commonMetadata ?? {};
    for (const { object } of parsed.objects) {
      if (labels) object.metadata.labels = { ...object.metadata.labels, ...labels };
      if (annotations) object.metadata.annotations = { ...object.metadata.annotations, ...annotations };
    }
    return parsed.objects;
  };

  try {
    // The given paths are built as Flux's bootstrap Kustomization would build them; their
    // objects go to the Kustomization that points at the same path when there is one.
    for (const path of paths) {
      const dir = join(tree, path);
      if (!existsSync(dir)) throw new InputError(`flux path '${path}' does not exist in ${repoRoot}`);
      const objects = await build(dir, { path }, path, 'flux-system');
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
          work,
          !!options.offline,
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
    await rm(work, { recursive: true, force: true });
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
      const s = found.spec as { url: string; ref?: { tag?: string; semver?: string; digest?: string } };
      if (s.ref?.digest) return { type: 'oci', ref: `${s.url}@${s.ref.digest}` };
      return { type: 'oci', ref: s.url, version: s.ref?.tag ?? s.ref?.semver };
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
    const repo = source('HelmRepository', ref.name, ref.namespace).spec as { url: string; type?: string };
    if (repo.type === 'oci' || repo.url.startsWith('oci://')) {
      return {
        type: 'oci',
        ref: `${repo.url.replace(/\/$/, '')}/${chartSpec.chart}`,
        version: chartSpec.version,
      };
    }
    return { type: 'repo', url: repo.url, chart: chartSpec.chart, version: chartSpec.version };
  }
  throw new Error(`chart sourceRef kind ${ref.kind} is not supported`);
}
