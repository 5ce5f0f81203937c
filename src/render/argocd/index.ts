// Renders what Argo CD would apply from the paths given: the objects there, and for each
// Application whose source is this checkout the objects it deploys, followed through the
// Applications and ApplicationSets those hold (app of apps), grouped by Application.
import { join, normalize } from 'node:path';
import type { DesiredObject, KubeObject } from '../../model.ts';
import { render } from '../index.ts';
import type { ParsedManifests } from '../manifests.ts';
import { repoRelative } from '../paths.ts';
import { locationOf } from '../problems.ts';
import { scratchDir } from '../scratch.ts';
import { type ApplicationSetObject, expandApplicationSet } from './applicationset.ts';
import { renderChartSource } from './chart.ts';
import { atRevision, relocateFiles, removeTrees } from './revision.ts';
import { locateSource, renderSource, type SourceContext } from './source.ts';
import {
  type Application,
  type ArgoGroup,
  type ArgoRenderOptions,
  type ArgoRenderResult,
  applicationGroup,
  isApplication,
  isApplicationSet,
} from './types.ts';

export type { ArgoGroup, ArgoRenderOptions, ArgoRenderResult } from './types.ts';

/** The destinations that are the target cluster, as Argo CD names its own cluster. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
export const IN_CLUSTER_NAME = 'in-cluster';

interface Pending {
  app: Application;
  /** Where it was found: the file and line, or the ApplicationSet that generated it. */
  from: DesiredObject['source'];
  /** The Applications that led to this one, outermost first (group names). */
  chain: string[];
}

export async function renderArgo(options: ArgoRenderOptions): Promise<ArgoRenderResult> {
  const scratch = scratchDir('argocd');
  const ctx: SourceContext = {
    repoRoot: options.repoRoot,
    repos: options.repos,
    tools: options.tools,
    helmContext: options.helmContext,
    scratch: scratch.path,
    copies: new Map(),
    counter: { next: 0 },
    given: [],
    chartCredentials: options.chartCredentials,
    offline: options.offline,
    trees: new Map(),
  };
  const result: ArgoRenderResult = { objects: [], groups: [], errors: [], notes: [] };
  try {
    const given = await render({
      repoRoot: options.repoRoot,
      paths: options.paths,
      source: 'auto',
      helm: options.helm ?? { releaseName: 'release', valuesFiles: [], set: [] },
      tools: options.tools,
      helmContext: options.helmContext,
    });
    result.objects.push(...given);
    ctx.given = given;
    const queue = await found(given, [], options, result, ctx);
    const givenDirs = new Set(options.paths.map((p) => normalize(join(options.repoRoot, p))));
    const seen = new Set<string>();
    while (queue.length > 0) {
      const next = queue.shift() as Pending;
      const group = applicationGroup(next.app);
      if (seen.has(group)) {
        if (next.chain.includes(group) && next.chain.at(-1) !== group)
          result.errors.push({
            group,
            message: `cycle: ${[...next.chain.slice(next.chain.indexOf(group)), group].join(' → ')}`,
          });
        continue;
      }
      seen.add(group);
      queue.push(...(await renderApplication(ctx, next, options, result, givenDirs)));
    }
    addManagedNamespaces(result);
    return result;
  } finally {
    await removeTrees(ctx.trees);
    await scratch.remove();
  }
}

/** The Applications among `objects`, and those their ApplicationSets generate, to render next. */
async function found(
  objects: DesiredObject[],
  chain: string[],
  options: ArgoRenderOptions,
  result: ArgoRenderResult,
  ctx: SourceContext,
): Promise<Pending[]> {
  const pending: Pending[] = [];
  const namespaced = (object: KubeObject) => {
    object.metadata.namespace ||= options.namespace ?? 'argocd';
    return object;
  };
  for (const { object, source } of objects) {
    if (isApplication(object))
      pending.push({ app: namespaced(structuredClone(object)), from: source, chain });
    else if (isApplicationSet(object)) {
      const appset = namespaced(structuredClone(object)) as ApplicationSetObject;
      const dir = join(ctx.scratch, `applicationset-${ctx.counter.next++}`);
      const expanded = await expandApplicationSet(appset, options.repos, dir, options.tools?.helm);
      result.notes.push(...expanded.skipped);
      for (const app of expanded.applications) pending.push({ app, from: source, chain });
    }
  }
  return pending;
}

/** Whether the destination is the target cluster, or why not. */
export function destinationSkip(app: Application, clusters: readonly string[] = []): string | undefined {
  const { server, name } = app.spec?.destination ?? {};
  if (server && (server === IN_CLUSTER_SERVER || clusters.includes(server))) return undefined;
  if (name && (name === IN_CLUSTER_NAME || clusters.includes(name))) return undefined;
  if (!server && !name) return undefined;
  const where = server ? `server ${server}` : `cluster ${name}`;
  return `its destination is ${where}, not this cluster (name it in argocd-clusters if it is)`;
}

async function renderApplication(
  ctx: SourceContext,
  pending: Pending,
  options: ArgoRenderOptions,
  result: ArgoRenderResult,
  givenDirs: Set<string>,
): Promise<Pending[]> {
  const { app } = pending;
  const name = applicationGroup(app);
  const group: ArgoGroup = {
    name,
    namespace: app.metadata.namespace ?? 'argocd',
    objectName: app.metadata.name,
    ignoreDifferences: app.spec?.ignoreDifferences,
    syncOptions: app.spec?.syncPolicy?.syncOptions ?? [],
    destinationNamespace: app.spec?.destination?.namespace,
    managedNamespaceMetadata: app.spec?.syncPolicy?.managedNamespaceMetadata,
    from: pending.from,
  };
  result.groups.push(group);
  const skip = (why: string) => {
    group.skipped = why;
    result.notes.push(`${name} (${locationOf(pending.from)}) is not rendered: ${why}`);
    return [];
  };
  const elsewhere = destinationSkip(app, options.clusters);
  if (elsewhere) return skip(elsewhere);
  const rendered = await renderSources(ctx, app, name, options, givenDirs);
  if ('skip' in rendered) return skip(rendered.skip);
  if (rendered.problems.length > 0) {
    for (const p of rendered.problems)
      result.errors.push({ group: name, message: `${locationOf(p)}: ${p.message}` });
    return [];
  }
  result.objects.push(...rendered.objects);
  result.notes.push(...rendered.notes);
  return found(rendered.objects, [...pending.chain, name], options, result, ctx);
}

/**
 * Every source of the Application (`source`, or each of `sources` that has a path: a source
 * with only `ref` lends its repository to `$ref/...` value files). A source pointing at a path
 * given regroups the objects found there instead (a root Application).
 */
async function renderSources(
  ctx: SourceContext,
  app: Application,
  name: string,
  options: ArgoRenderOptions,
  givenDirs: Set<string>,
): Promise<{ skip: string } | (ParsedManifests & { notes: string[] })> {
  const sources = app.spec?.sources ?? (app.spec?.source ? [app.spec.source] : []);
  if (sources.length === 0) return { skip: 'it has no spec.source' };
  const refs = new Map<string, string>();
  for (const source of sources.filter((s) => s.ref)) {
    const located = locateSource(ctx, { ...source, path: '.' });
    const where = 'skip' in located ? located : await atRevision(source, located, ctx.trees, options.clone);
    if ('skip' in where) return where;
    refs.set(source.ref as string, where.repo);
  }
  const out: ParsedManifests & { notes: string[] } = { objects: [], problems: [], notes: [] };
  for (const source of sources) {
    if (source.ref && source.path === undefined && !source.chart) continue;
    if (source.chart) {
      const parsed = await renderChartSource(ctx, app, { ...source, chart: source.chart }, name, refs);
      const namespace = app.spec?.destination?.namespace;
      if (namespace) for (const { object } of parsed.objects) object.metadata.namespace ??= namespace;
      out.objects.push(...parsed.objects);
      out.problems.push(...parsed.problems);
      continue;
    }
    const located = locateSource(ctx, source);
    const where = 'skip' in located ? located : await atRevision(source, located, ctx.trees, options.clone);
    if ('skip' in where) return where;
    if (where.checkoutRepo)
      out.notes.push(
        `${name} is rendered from its targetRevision ${source.targetRevision}, not the checkout`,
      );
    if (givenDirs.has(normalize(where.dir))) {
      const path = repoRelative(options.repoRoot, where.dir);
      for (const d of ctx.given) if (d.group === path || d.group?.startsWith(`${path}/`)) d.group = name;
      continue;
    }
    const parsed = relocateFiles(
      await renderSource(ctx, app, source, where, name, refs),
      where,
      options.repoRoot,
    );
    out.objects.push(...parsed.objects);
    out.notes.push(...(parsed.notes ?? []));
    out.problems.push(...parsed.problems);
  }
  return out;
}

/**
 * `CreateNamespace=true`: Argo CD creates the destination namespace (with
 * `managedNamespaceMetadata`) before it syncs, so it is desired with the Application's objects.
 */
function addManagedNamespaces(result: ArgoRenderResult): void {
  const namespaces = new Set(
    result.objects
      .filter((d) => d.object.kind === 'Namespace' && d.object.apiVersion === 'v1')
      .map((d) => d.object.metadata.name),
  );
  for (const group of result.groups) {
    if (group.skipped || !group.syncOptions.includes('CreateNamespace=true')) continue;
    const namespace = group.destinationNamespace;
    if (!namespace || namespaces.has(namespace)) continue;
    namespaces.add(namespace);
    const metadata = group.managedNamespaceMetadata;
    const object: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
    if (metadata?.labels) object.metadata.labels = { ...metadata.labels };
    if (metadata?.annotations) object.metadata.annotations = { ...metadata.annotations };
    result.objects.push({ object, source: group.from, group: group.name });
  }
}
