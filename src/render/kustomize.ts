// Kustomizations: built with kubectl's kustomize (or a kustomize binary), confined to the repository.
import { basename } from 'node:path';
import { describeError } from '../errors.ts';
import type { DesiredObject } from '../model.ts';
import { type Confinement, confinement, confinementRoot, describeViolation, escapes } from './confine.ts';
import { traceKustomizeOrigins } from './kustomize-origins.ts';
import { checkKustomization, loadRestrictorFlag } from './kustomize-refs.ts';
import { collectManifests, type ParsedManifests } from './manifests.ts';
import { absoluteIn, kustomizationFileIn, repoRelative } from './paths.ts';
import { RenderError, type RenderProblem } from './problems.ts';
import { failureMessage, findTool, lookupTool, runToolDocuments } from './tools.ts';

export interface ToolPaths {
  helm?: string;
  kubectl?: string;
  kustomize?: string;
}

export interface RenderContext {
  /** Absolute; provenance files are relative to it. */
  repoRoot: string;
  tools?: ToolPaths;
  /** The group given to every object; defaults to the rendered directory, relative to repoRoot. */
  group?: string;
  /** What the render may read; by default the Git work tree holding repoRoot, else repoRoot. */
  confinement?: Confinement;
}

/** The confinement of a render context, named relative to its repository root. */
export function confinementOf(ctx: RenderContext): Confinement {
  return ctx.confinement ?? confinement(confinementRoot(ctx.repoRoot), (p) => repoRelative(ctx.repoRoot, p));
}

/** kubectl's built-in kustomize first (what `kubectl apply -k` uses), else a kustomize binary. */
function kustomizeCommand(
  dir: string,
  tools: ToolPaths | undefined,
  restrictor: string,
): { binary: string; args: string[] } | undefined {
  const flags = [restrictor];
  if (tools?.kubectl) return { binary: tools.kubectl, args: ['kustomize', dir, ...flags] };
  if (tools?.kustomize) return { binary: tools.kustomize, args: ['build', dir, ...flags] };
  const kubectl = lookupTool('kubectl');
  if (kubectl) return { binary: kubectl, args: ['kustomize', dir, ...flags] };
  const kustomize = lookupTool('kustomize');
  if (kustomize) return { binary: kustomize, args: ['build', dir, ...flags] };
  return undefined;
}

/**
 * Renders a Kustomize directory. Objects point at the plain resource file they came from when
 * that can be traced, else at the kustomization file, line 1. Problems are collected.
 */
export async function collectKustomize(dir: string, ctx: RenderContext): Promise<ParsedManifests> {
  dir = absoluteIn(ctx.repoRoot, dir);
  const kustomization = kustomizationFileIn(dir);
  const file = repoRelative(ctx.repoRoot, kustomization ?? `${dir}/kustomization.yaml`);
  const group = ctx.group ?? repoRelative(ctx.repoRoot, dir);
  // Every file the tree names is checked before kustomize reads any of it.
  const c = confinementOf(ctx);
  const outside = escapes(c, dir);
  if (outside) {
    const message = describeViolation({ file, field: 'directory', path: c.name(dir), reason: outside });
    return { objects: [], problems: [{ file, message }] };
  }
  const check = checkKustomization(c, dir);
  if (check.violations.length > 0) {
    const problems = check.violations.map((v) => ({ file: v.file, message: describeViolation(v) }));
    return { objects: [], problems };
  }
  // Run from the repository root with a relative path, so the command shown is one to paste.
  const command = kustomizeCommand(repoRelative(ctx.repoRoot, dir), ctx.tools, loadRestrictorFlag(check));
  if (!command) {
    let message = 'kubectl was not found';
    try {
      findTool('kubectl');
    } catch (error) {
      message = describeError(error);
    }
    return { objects: [], problems: [{ file, message }] };
  }
  // The output is parsed as it arrives, a few documents at a time (tools.ts, runToolDocuments);
  // a problem's document number then counts from the start of its piece, not of the output.
  // Kustomize writes valid YAML, so such a problem is rare, and it points at the kustomization.
  const parsed: DesiredObject[] = [];
  const parseProblems: RenderProblem[] = [];
  const running = runToolDocuments(command.binary, command.args, ctx.repoRoot, (text) => {
    const part = collectManifests(text, file, { group });
    for (const object of part.objects) parsed.push(object);
    for (const problem of part.problems) parseProblems.push(problem);
  });
  // Reading the resource files for provenance takes this process's CPU while kustomize takes its own.
  const tracing = kustomization ? traceKustomizeOrigins(dir, ctx.repoRoot) : undefined;
  const run = await running;
  if (run.exitCode !== 0) return { objects: [], problems: [{ file, message: failureMessage(run) }] };

  const origins = await tracing;
  const objects = parsed.map((d) => ({ ...d, source: origins?.(d.object) ?? { file, line: 1 } }));
  // Lines in kustomize's output mean nothing to the user; point at the kustomization instead.
  const problems = parseProblems.map((p) => ({
    file,
    message: `${basename(command.binary)} produced output that is not valid manifests: ${p.message}`,
  }));
  return { objects, problems };
}

export async function renderKustomize(dir: string, ctx: RenderContext): Promise<DesiredObject[]> {
  const { objects, problems } = await collectKustomize(dir, ctx);
  if (problems.length > 0) throw new RenderError(problems);
  return objects;
}
