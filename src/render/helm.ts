// Helm charts: `helm template` with the release's values, output traced back to chart files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../errors.ts';
import type { DesiredObject, SourceLocation } from '../model.ts';
import { describeViolation, escapes, treeViolations, type Violation, writtenInside } from './confine.ts';
import { addReleaseMetadata } from './helm-release-metadata.ts';
import { HelmRenderContext, runHelmTemplate } from './helm-run.ts';
import { confinementOf, type RenderContext } from './kustomize.ts';
import { collectManifests, type ParsedManifests } from './manifests.ts';
import { absoluteIn, repoRelative } from './paths.ts';
import { RenderError } from './problems.ts';
import { failureMessage, findTool } from './tools.ts';

export interface HelmOptions {
  releaseName: string;
  namespace?: string;
  /** Relative to the repository root, or absolute. */
  valuesFiles: string[];
  /** `key=value` pairs as for `helm --set`. */
  set: string[];
  /** `key=value` pairs as for `helm --set-string` (Argo CD's `forceString` parameters). */
  setString?: string[];
  /** Leave out the CRDs of the chart's crds/ directory (Argo CD's `skipCrds`). */
  skipCrds?: boolean;
  /** false: the output as `helm template` prints it, as Argo CD applies it (no release metadata). */
  releaseMetadata?: boolean;
}

export function helmTemplateArgs(dir: string, helm: HelmOptions, repoRoot: string): string[] {
  // Hooks are not part of a release's manifest (they run and go), so they are not drift;
  // CRDs are, as helm install and Flux's helm-controller create them.
  const crds = helm.skipCrds ? '--skip-crds' : '--include-crds';
  const args = ['template', helm.releaseName, dir, crds, '--no-hooks'];
  if (helm.namespace) args.push('--namespace', helm.namespace);
  for (const values of helm.valuesFiles)
    args.push('--values', repoRelative(repoRoot, absoluteIn(repoRoot, values)));
  for (const value of helm.set) args.push('--set', value);
  for (const value of helm.setString ?? []) args.push('--set-string', value);
  return args;
}

const SOURCE_COMMENT = /^# Source: (.+)$/gm;

/** Line numbers in helm's output where each `# Source: chart/templates/x.yaml` comment stands. */
function sourceComments(output: string): { line: number; path: string }[] {
  const found: { line: number; path: string }[] = [];
  let line = 1;
  let last = 0;
  for (const match of output.matchAll(SOURCE_COMMENT)) {
    for (let i = last; i < match.index; i++) if (output.charCodeAt(i) === 10) line++;
    last = match.index;
    found.push({ line, path: match[1].trim() });
  }
  return found;
}

/** Whether the output line is in a file of a chart's (or subchart's) crds/ directory, which Helm installs unlabelled. */
function fromCrdsDir(comments: { line: number; path: string }[], outputLine: number): boolean {
  let path = '';
  for (const c of comments) if (c.line <= outputLine) path = c.path;
  return /^[^/]+(\/charts\/[^/]+)*\/crds\//.test(path);
}

/**
 * Renders a Helm chart with `helm template`. Each object points at its template file (line 1),
 * from the `# Source:` comments helm prints, or at Chart.yaml when that file is not in the repo
 * (a packaged subchart).
 */
export async function collectHelmChart(
  dir: string,
  helm: HelmOptions,
  ctx: RenderContext,
  helmContext = new HelmRenderContext(),
): Promise<ParsedManifests> {
  dir = absoluteIn(ctx.repoRoot, dir);
  const chartFile = repoRelative(ctx.repoRoot, join(dir, 'Chart.yaml'));
  const group = ctx.group ?? repoRelative(ctx.repoRoot, dir);
  // Helm loads the whole chart directory, following symlinks, and every values file.
  const c = confinementOf(ctx);
  const violations: Violation[] = treeViolations(c, dir, chartFile);
  for (const values of helm.valuesFiles) {
    // Values files are named by the operator: one outside the repository is theirs to name.
    const path = absoluteIn(ctx.repoRoot, values);
    const reason = writtenInside(c, path) ? escapes(c, path) : undefined;
    if (reason) violations.push({ file: chartFile, field: 'values file', path: values, reason });
  }
  if (violations.length > 0) {
    const problems = violations.map((v) => ({ file: v.file, message: describeViolation(v) }));
    return { objects: [], problems };
  }
  let binary: string;
  try {
    binary = ctx.tools?.helm ?? findTool('helm');
  } catch (error) {
    return { objects: [], problems: [{ file: chartFile, message: describeError(error) }] };
  }
  const args = helmTemplateArgs(repoRelative(ctx.repoRoot, dir), helm, ctx.repoRoot);
  const run = await runHelmTemplate(binary, args, ctx.repoRoot, group, helmContext);
  if (run.exitCode !== 0)
    return { objects: [], problems: [{ file: chartFile, message: failureMessage(run) }] };

  const comments = sourceComments(run.stdout);
  const known = new Map<string, SourceLocation>();
  const templateAt = (outputLine: number | undefined): SourceLocation => {
    let path: string | undefined;
    for (const c of comments) if (outputLine !== undefined && c.line <= outputLine) path = c.path;
    if (path === undefined) return { file: chartFile, line: 1 };
    let location = known.get(path);
    if (!location) {
      // helm names files `<chart name>/templates/x.yaml`; the chart's directory may be named otherwise.
      const inChart = join(dir, path.slice(path.indexOf('/') + 1));
      location = existsSync(inChart)
        ? { file: repoRelative(ctx.repoRoot, inChart), line: 1 }
        : { file: chartFile, line: 1 };
      known.set(path, location);
    }
    return location;
  };

  const parsed = collectManifests(run.stdout, chartFile, { group });
  if (helm.releaseMetadata !== false)
    addReleaseMetadata(
      parsed.objects,
      { name: helm.releaseName, namespace: helm.namespace || 'default' },
      (d) => fromCrdsDir(comments, d.source.line),
    );
  const objects: DesiredObject[] = parsed.objects.map((d) => ({ ...d, source: templateAt(d.source.line) }));
  const problems = parsed.problems.map((p) => ({
    file: templateAt(p.line).file,
    message: `helm template produced output that is not valid manifests: ${p.message}`,
  }));
  return { objects, problems };
}

export async function renderHelmChart(
  dir: string,
  helm: HelmOptions,
  ctx: RenderContext,
  helmContext?: HelmRenderContext,
): Promise<DesiredObject[]> {
  const { objects, problems } = await collectHelmChart(dir, helm, ctx, helmContext);
  if (problems.length > 0) throw new RenderError(problems);
  return objects;
}
