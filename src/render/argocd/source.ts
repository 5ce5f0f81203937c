// One Application's source rendered as Argo CD's repo-server renders it: a directory, a
// kustomization (with the Application's kustomize options) or a Helm chart, found by what
// the path holds; the destination namespace set on objects that name none.
import { existsSync, statSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { basename, join, normalize, relative, sep } from 'node:path';
import { stringify } from 'yaml';
import type { DesiredObject } from '../../model.ts';
import { type Confinement, confinement, describeViolation, escapes } from '../confine.ts';
import type { ChartCredential } from '../flux/chart-credentials.ts';
import { collectHelmChart, type HelmOptions } from '../helm.ts';
import { HelmRenderContext } from '../helm-run.ts';
import { collectKustomize, type ToolPaths } from '../kustomize.ts';
import type { ParsedManifests } from '../manifests.ts';
import { detectSource, repoRelative } from '../paths.ts';
import { collectDirectory } from './directory.ts';
import { hasKustomizeOptions, overlayKustomization } from './kustomize-overlay.ts';
import { normalizeRepoUrl } from './repos.ts';
import type { RevisionTrees } from './revision.ts';
import type { Application, ApplicationSource } from './types.ts';

/** What rendering sources needs for the whole run: the checkout, its repositories, a scratch directory. */
export interface SourceContext {
  repoRoot: string;
  repos: Map<string, string>;
  tools?: ToolPaths;
  helmContext?: HelmRenderContext;
  /** Private to this run (copies of repositories, overlays, values files). */
  scratch: string;
  /** Repository directory → its copy in scratch, made on first need. */
  copies: Map<string, Promise<string>>;
  counter: { next: number };
  /** The objects of the paths given, which a root Application's source may point at. */
  given: DesiredObject[];
  /** For charts from chart repositories and OCI registries, each bound to its host. */
  chartCredentials?: readonly ChartCredential[];
  /** Charts that must be fetched are errors of their Application. */
  offline?: boolean;
  /** Commits materialised for Applications pinned to another targetRevision. */
  trees: RevisionTrees;
}

/** Why a source is not rendered (a sentence naming what is missing), or where it is. */
export function locateSource(
  ctx: SourceContext,
  source: ApplicationSource | undefined,
): { skip: string } | { repo: string; dir: string; path: string } {
  if (!source) return { skip: 'it has no spec.source' };
  if (source.plugin)
    return { skip: 'its source uses a config management plugin, which kube-drift does not run' };
  const repo = source.repoURL ? ctx.repos.get(normalizeRepoUrl(source.repoURL)) : undefined;
  if (!repo)
    return {
      skip: `its repository ${source.repoURL ?? '(none)'} is not this checkout; map it to a directory with argocd-repos (url=dir)`,
    };
  const path = normalize(source.path ?? '.')
    .split(sep)
    .join('/');
  if (path.startsWith('..') || path.startsWith('/'))
    return { skip: `its path ${source.path} leaves the repository` };
  return { repo, dir: join(repo, path), path };
}

/** The source type the Application names (exactly one of helm, kustomize, directory), as Argo CD's ExplicitType. */
export function explicitType(source: ApplicationSource): 'helm' | 'kustomize' | 'plain' | undefined {
  const named = [
    source.helm && ('helm' as const),
    source.kustomize && ('kustomize' as const),
    source.directory && ('plain' as const),
  ].filter((t) => t !== undefined);
  return named.length === 1 ? named[0] : undefined;
}

/** The objects of one Application's source, with their provenance relative to the checkout. */
export async function renderSource(
  ctx: SourceContext,
  app: Application,
  source: ApplicationSource,
  where: { repo: string; dir: string; path: string },
  group: string,
  refs: ReadonlyMap<string, string> = new Map(),
): Promise<ParsedManifests & { notes?: string[] }> {
  const name = (p: string) => repoRelative(ctx.repoRoot, p);
  const confine = confinement(where.repo, name);
  const file = name(where.dir);
  if (!existsSync(where.dir) || !statSync(where.dir).isDirectory())
    return {
      objects: [],
      problems: [{ file, message: `${group}: path ${where.path} is not a directory in ${name(where.repo)}` }],
    };
  const outside = escapes(confine, where.dir);
  if (outside)
    return {
      objects: [],
      problems: [
        {
          file,
          message: describeViolation({ file, field: 'spec.source.path', path: where.path, reason: outside }),
        },
      ],
    };
  const kind = explicitType(source) ?? detectSource(where.dir);
  const namespace = app.spec?.destination?.namespace;
  let parsed: ParsedManifests & { notes?: string[] };
  if (kind === 'helm') parsed = await renderHelm(ctx, app, source, { dir: where.dir, confine, group, refs });
  else if (kind === 'kustomize' && hasKustomizeOptions(source.kustomize))
    parsed = await renderOverlay(ctx, source, where, group);
  else if (kind === 'kustomize')
    parsed = await collectKustomize(where.dir, {
      repoRoot: ctx.repoRoot,
      tools: ctx.tools,
      group,
      confinement: confine,
    });
  else parsed = await collectDirectory(where.dir, source.directory, confine, group);
  if (namespace) for (const { object } of parsed.objects) object.metadata.namespace ??= namespace;
  return parsed;
}

/**
 * A value file as Argo CD finds it: relative to the chart's path, or `$<ref>/<path>` in the
 * repository of the source named `ref` (multi-source Applications). Undefined: an unknown ref.
 */
export function valueFilePath(
  file: string,
  dir: string,
  refs: ReadonlyMap<string, string>,
): string | undefined {
  const ref = /^\$([^/]+)\/(.*)$/.exec(file);
  if (!ref) return join(dir, file);
  const repo = refs.get(ref[1]);
  return repo === undefined ? undefined : join(repo, ref[2]);
}

/** `helm template` of the chart in `at.dir` with the Application's helm options; `at.root` is where its files are named from (the checkout by default). */
export async function renderHelm(
  ctx: SourceContext,
  app: Application,
  source: ApplicationSource,
  at: { dir: string; confine: Confinement; group: string; refs: ReadonlyMap<string, string>; root?: string },
): Promise<ParsedManifests> {
  const { dir, confine, group } = at;
  const helm = source.helm ?? {};
  const valuesFiles: string[] = [];
  for (const file of helm.valueFiles ?? []) {
    const path = valueFilePath(file, dir, at.refs);
    const chartFile = `${confine.name(dir)}/Chart.yaml`;
    if (path === undefined)
      return {
        objects: [],
        problems: [
          {
            file: chartFile,
            message: `${group}: value file ${file} names a source ref the Application does not have`,
          },
        ],
      };
    const ref = /^\$([^/]+)\//.exec(file)?.[1];
    const reason = escapes(ref ? confinement(at.refs.get(ref) as string) : confine, path);
    if (reason)
      return {
        objects: [],
        problems: [
          {
            file: chartFile,
            message: describeViolation({
              file: chartFile,
              field: 'spec.source.helm.valueFiles',
              path: file,
              reason,
            }),
          },
        ],
      };
    if (!helm.ignoreMissingValueFiles || existsSync(path)) valuesFiles.push(path);
  }
  // valuesObject (else values) after the value files, as Argo CD passes them.
  const values = helm.valuesObject ?? helm.values;
  if (values !== undefined && values !== '' && values !== null) {
    const path = join(ctx.scratch, `values-${ctx.counter.next++}.yaml`);
    await writeFile(path, typeof values === 'string' ? values : stringify(values), { mode: 0o600 });
    valuesFiles.push(path);
  }
  const parameters = helm.parameters ?? [];
  const options: HelmOptions = {
    releaseName: helm.releaseName || app.metadata.name,
    namespace: app.spec?.destination?.namespace,
    valuesFiles,
    set: parameters.filter((p) => !p.forceString).map((p) => `${p.name}=${p.value}`),
    setString: parameters.filter((p) => p.forceString).map((p) => `${p.name}=${p.value}`),
    skipCrds: helm.skipCrds === true,
    releaseMetadata: false,
  };
  const context = { repoRoot: at.root ?? ctx.repoRoot, tools: ctx.tools, group, confinement: confine };
  return collectHelmChart(dir, options, context, ctx.helmContext ?? new HelmRenderContext());
}

/** A copy of the repository to write overlays into, made once per run. */
function copyOf(ctx: SourceContext, repo: string): Promise<string> {
  let copy = ctx.copies.get(repo);
  if (!copy) {
    const tree = join(ctx.scratch, `repo-${ctx.copies.size}`);
    copy = cp(repo, tree, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (path) => !['.git', 'node_modules'].includes(basename(path)),
    }).then(() => tree);
    ctx.copies.set(repo, copy);
  }
  return copy;
}

const OVERLAYS = '.kube-drift-argocd';

async function renderOverlay(
  ctx: SourceContext,
  source: ApplicationSource,
  where: { repo: string; dir: string; path: string },
  group: string,
): Promise<ParsedManifests> {
  const tree = await copyOf(ctx, where.repo);
  const overlayDir = join(tree, OVERLAYS, String(ctx.counter.next++));
  const kustomizationFile = `${repoRelative(ctx.repoRoot, where.dir)}/kustomization.yaml`;
  for (const patch of (source.kustomize?.patches ?? []) as { path?: string }[]) {
    if (patch.path === undefined) continue;
    const reason = escapes(confinement(tree), join(tree, where.path, patch.path));
    if (reason)
      return {
        objects: [],
        problems: [
          {
            file: kustomizationFile,
            message: describeViolation({
              file: kustomizationFile,
              field: 'spec.source.kustomize.patches',
              path: patch.path,
              reason,
            }),
          },
        ],
      };
  }
  await mkdir(overlayDir, { recursive: true });
  const overlay = overlayKustomization(source.kustomize ?? {}, where.path, '../..', tree);
  await writeFile(join(overlayDir, 'kustomization.yaml'), stringify(overlay));
  // Files in the copy are named as they are in the checkout; the overlay as the path's kustomization.
  const name = (p: string) => {
    const rel = relative(tree, p).split(sep).join('/');
    return rel.startsWith(`${OVERLAYS}/`)
      ? kustomizationFile
      : repoRelative(ctx.repoRoot, join(where.repo, rel));
  };
  const parsed = await collectKustomize(overlayDir, {
    repoRoot: tree,
    tools: ctx.tools,
    group,
    confinement: confinement(tree, name, where.repo),
  });
  const relocate = (file: string) => name(join(tree, file));
  const objects: DesiredObject[] = parsed.objects.map((d) => ({
    ...d,
    source: { ...d.source, file: relocate(d.source.file) },
  }));
  return { objects, problems: parsed.problems.map((p) => ({ ...p, file: relocate(p.file) })) };
}
