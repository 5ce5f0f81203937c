// Render: sources in the repository → DesiredObject[] with file:line provenance (DESIGN.md).
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { pacer } from '../concurrency.ts';
import { type DesiredObject, identityOf, refOf, subjectOf } from '../model.ts';
import {
  type Confinement,
  confinement,
  confinementRoot,
  describeViolation,
  escapes,
  writtenInside,
} from './confine.ts';
import { collectHelmChart, type HelmOptions } from './helm.ts';
import { HelmRenderContext } from './helm-run.ts';
import { collectKustomize, type RenderContext, type ToolPaths } from './kustomize.ts';
import { collectManifests, type ParsedManifests } from './manifests.ts';
import { absoluteIn, detectSource, repoRelative } from './paths.ts';
import { plainEntries } from './plain.ts';
import { locationOf, RenderError, type RenderProblem } from './problems.ts';

export type { HelmOptions } from './helm.ts';
export { collectHelmChart, helmTemplateArgs, renderHelmChart } from './helm.ts';
export { type HelmClusterView, HelmRenderContext } from './helm-run.ts';
export type { RenderContext, ToolPaths } from './kustomize.ts';
export { collectKustomize, renderKustomize } from './kustomize.ts';
export type { ParsedManifests, ParseOptions } from './manifests.ts';
export { collectManifests, parseManifests } from './manifests.ts';
export { detectSource, kustomizationFileIn, repoRelative } from './paths.ts';
export type { RenderProblem } from './problems.ts';
export { RenderError } from './problems.ts';
export { findTool, lookupTool } from './tools.ts';

export type SourceKind = 'auto' | 'plain' | 'kustomize' | 'helm';

export interface RenderOptions {
  /** Absolute; files in provenance are relative to it with '/' separators. */
  repoRoot: string;
  /** Relative to repoRoot or absolute. */
  paths: string[];
  /** 'auto' detects per path. */
  source: SourceKind;
  helm: HelmOptions;
  /** Binary paths; found with findTool() when absent. */
  tools?: ToolPaths;
  /** The directory nothing may be read outside of; by default the Git work tree holding repoRoot, else repoRoot. */
  confineTo?: string;
  /** The cluster Helm charts render against, and where their notes go; offline when absent. */
  helmContext?: HelmRenderContext;
  /** Files found by walking a directory that are plainly not manifests are errors, not skipped. */
  strict?: boolean;
  /** Told once, sorted, the files a walk skipped as plainly not manifests (see foreign.ts). */
  onSkippedFiles?: (files: string[]) => void;
}

/** What a path rendered to, and the files its walk skipped. */
type Rendered = ParsedManifests & { skipped?: string[] };

/**
 * Plain files are read this many at a time; kustomize and helm runs one per core (at least
 * two: a run spends part of its time waiting on the disk, and this process parses the output of one
 * while the other runs).
 */
const FILE_CONCURRENCY = 16;
const TOOL_CONCURRENCY = Math.max(2, availableParallelism());
/**
 * Parsing plain files hands the thread back this often (ms). Without it a tree of 1,000 files
 * parses in one stretch, and the answers of the reads sent beside rendering (the target's
 * inventory, then the lists it leads to) wait until it ends: the API server idles meanwhile.
 */
const PARSE_SLICE_MS = 8;

/**
 * Renders every path into desired objects, in path order and, within a plain tree, in sorted
 * file order. Collects every problem (bad YAML, incomplete objects, duplicates, failed tool
 * runs, missing paths) and throws them together as one RenderError.
 */
export async function render(options: RenderOptions): Promise<DesiredObject[]> {
  const { repoRoot } = options;
  const tools = createLimiter(TOOL_CONCURRENCY);
  const files = createLimiter(FILE_CONCURRENCY);
  const pace = pacer(PARSE_SLICE_MS);
  const name = (p: string) => repoRelative(repoRoot, p);
  const repository = confinement(options.confineTo ?? confinementRoot(repoRoot), name);
  const helmContext = options.helmContext ?? new HelmRenderContext();
  const renderPath = async (path: string): Promise<Rendered> => {
    const absolute = absoluteIn(repoRoot, path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) return failed({ file: path, message: `path ${path} does not exist` });
    // A path the operator names elsewhere (another checkout, a generated directory) is confined to its own tree.
    const confined = writtenInside(repository, absolute)
      ? repository
      : confinement(confinementRoot(info.isFile() ? dirname(absolute) : absolute), name);
    const outside = escapes(confined, absolute);
    if (outside)
      return failed({
        file: path,
        message: describeViolation({ file: path, field: 'path', path, reason: outside }),
      });
    const group = repoRelative(repoRoot, absolute);
    if (info.isFile()) {
      if (options.source === 'kustomize' || options.source === 'helm') {
        return failed({
          file: group,
          message: `source ${options.source} needs a directory, but ${group} is a file`,
        });
      }
      // A file named as a path is meant as a manifest: it is never skipped.
      return files(() => readManifestFile(absolute, confined, group));
    }
    const ctx: RenderContext = { repoRoot, tools: options.tools, group, confinement: confined };
    const source = options.source === 'auto' ? detectSource(absolute) : options.source;
    if (source === 'kustomize') return tools(() => collectKustomize(absolute, ctx));
    if (source === 'helm') return tools(() => collectHelmChart(absolute, options.helm, ctx, helmContext));
    const parts = plainEntries(absolute).map((entry) => {
      const nested: RenderContext = { ...ctx, group: repoRelative(repoRoot, entry.path) };
      if (entry.kind === 'kustomize') return tools(() => collectKustomize(entry.path, nested));
      if (entry.kind === 'helm')
        return tools(() => collectHelmChart(entry.path, options.helm, nested, helmContext));
      return files(() => pace(() => readManifestFile(entry.path, confined, group, !options.strict)));
    });
    return merge(await Promise.all(parts));
  };

  const rendered = merge(await Promise.all(options.paths.map(renderPath)));
  const problems = [...rendered.problems, ...findDuplicates(rendered.objects)];
  if (problems.length > 0) throw new RenderError(problems);
  const skipped = [...new Set(rendered.skipped)].sort();
  if (skipped.length > 0) options.onSkippedFiles?.(skipped);
  return rendered.objects;
}

async function readManifestFile(
  path: string,
  confined: Confinement,
  group: string,
  skipForeign = false,
): Promise<Rendered> {
  const file = confined.name(path);
  // A manifest file may be a symlink: it is read only when it resolves inside the repository.
  const outside = escapes(confined, path);
  if (outside)
    return failed({ file, message: describeViolation({ file, field: 'file', path: file, reason: outside }) });
  try {
    // Read whole at once: parsing holds the thread for longer than reading does, and an
    // asynchronous read of a small file costs four trips through the thread pool (open, stat,
    // read, close), the most of reading a tree of 1,000 (bench/RESULTS.md).
    const parsed = collectManifests(readFileSync(path, 'utf8'), file, { group });
    return skipForeign && parsed.foreign ? { objects: [], problems: [], skipped: [file] } : parsed;
  } catch (error) {
    return failed({ file, message: `cannot read ${file}: ${(error as Error).message}` });
  }
}

function failed(problem: RenderProblem): ParsedManifests {
  return { objects: [], problems: [problem] };
}

function merge(parts: Rendered[]): Rendered {
  return {
    objects: parts.flatMap((p) => p.objects),
    problems: parts.flatMap((p) => p.problems),
    skipped: parts.flatMap((p) => p.skipped ?? []),
  };
}

/** The same object (group, kind, namespace, name) twice: each repeat names the first place too. */
export function findDuplicates(objects: DesiredObject[]): RenderProblem[] {
  const first = new Map<string, DesiredObject>();
  const problems: RenderProblem[] = [];
  for (const desired of objects) {
    const ref = refOf(desired.object);
    const key = identityOf(ref);
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, desired);
      continue;
    }
    problems.push({
      file: desired.source.file,
      line: desired.source.line,
      message: `${subjectOf(ref)} (${desired.object.apiVersion}) is defined twice: at ${locationOf(earlier.source)} and at ${locationOf(desired.source)}`,
    });
  }
  return problems;
}

/** Runs at most `limit` tasks at once, in the order they were asked for. */
function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
