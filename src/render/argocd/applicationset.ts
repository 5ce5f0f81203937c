// ApplicationSets expanded as the ApplicationSet controller does: list, git directories and
// git files generators, parameters put into the template with fasttemplate's `{{param}}`, or
// with Go templates (`goTemplate: true`, see go-template.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../model.ts';
import { type CombineContext, matrixParams, mergeParams } from './combine.ts';
import { globMatch } from './glob.ts';
import { fillGoTemplate } from './go-template.ts';
import { normalizeRepoUrl } from './repos.ts';
import type { Application } from './types.ts';

export type Params = Record<string, string>;

interface Generator {
  matrix?: { generators?: Record<string, unknown>[] };
  merge?: { generators?: Record<string, unknown>[]; mergeKeys?: string[] };
  list?: { elements?: Record<string, unknown>[] };
  git?: {
    repoURL?: string;
    directories?: { path: string; exclude?: boolean }[];
    files?: { path: string }[];
    pathParamPrefix?: string;
  };
  [other: string]: unknown;
}

export type ApplicationSetObject = KubeObject & {
  spec?: {
    goTemplate?: boolean;
    generators?: Generator[];
    template?: { metadata?: Record<string, unknown>; spec?: unknown };
  };
};

/** The Applications an ApplicationSet generates, or why it cannot be expanded here. */
export async function expandApplicationSet(
  appset: ApplicationSetObject,
  repos: Map<string, string>,
  scratch: string,
  helm?: string,
): Promise<{ applications: Application[]; skipped: string[] }> {
  const spec = appset.spec ?? {};
  const name = `ApplicationSet ${appset.metadata.namespace || 'argocd'}/${appset.metadata.name}`;
  const go = spec.goTemplate === true;
  const skipped: string[] = [];
  const all: Record<string, unknown>[] = [];
  const combine: CombineContext = {
    go,
    params: (g) => generatorParams(g as Generator, repos, combine),
    fill: (g, p) => fillDeep(g, p as Params),
    scratch,
    counter: { next: 0 },
    helm,
  };
  for (const [i, generator] of (spec.generators ?? []).entries()) {
    const params = await generatorParams(generator, repos, combine);
    if (typeof params === 'string') skipped.push(`${name}: generator ${i} ${params}`);
    else all.push(...params);
  }
  if (!go)
    return {
      applications: all.map((p) => applicationOf(appset, fillDeep(spec.template ?? {}, p as Params))),
      skipped,
    };
  try {
    const filled = await fillGoTemplate(spec.template ?? {}, all, join(scratch, 'template'), helm);
    return { applications: filled.map((t) => applicationOf(appset, t)), skipped };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      applications: [],
      skipped: [...skipped, `${name}: its goTemplate does not evaluate: ${message}`],
    };
  }
}

async function generatorParams(
  generator: Generator,
  repos: Map<string, string>,
  combine: CombineContext,
): Promise<Record<string, unknown>[] | string> {
  const { go } = combine;
  if (generator.matrix) return matrixParams(generator.matrix, combine);
  if (generator.merge) return mergeParams(generator.merge, combine);
  if (generator.list) return (generator.list.elements ?? []).map((e) => (go ? e : flatten(e)));
  const git = generator.git;
  if (!git) return `(${Object.keys(generator).join(', ')}) is not supported yet: skipped`;
  const root = git.repoURL ? repos.get(normalizeRepoUrl(git.repoURL)) : undefined;
  if (!root) return `reads ${git.repoURL}, which is not this checkout (map it with argocd-repos): skipped`;
  const prefix = git.pathParamPrefix ? `${git.pathParamPrefix}.` : '';
  if (git.directories)
    return gitDirectories(root, git.directories).map((dir) =>
      go ? goPathParams(dir, git.pathParamPrefix) : pathParams(dir, prefix),
    );
  if (git.files) return gitFiles(root, git.files, prefix, go ? (git.pathParamPrefix ?? '') : undefined);
  return 'has neither directories nor files: skipped';
}

/** goTemplate's path parameters: `.path.path`, `.path.basename`, `.path.segments`, … (under a prefix when given). */
export function goPathParams(dir: string, prefix?: string, file?: string): Record<string, unknown> {
  const path: Record<string, unknown> = {
    path: dir,
    basename: basename(dir),
    basenameNormalized: normalizeName(basename(dir)),
    segments: dir === '' ? [] : dir.split('/'),
  };
  if (file !== undefined) {
    path.filename = file;
    path.filenameNormalized = normalizeName(file);
  }
  return prefix ? { [prefix]: { path } } : { path };
}

/** The repository's directories (relative, `/`), hidden ones left out, sorted. */
function directoriesOf(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      out.push(relative(root, path).split(sep).join('/'));
      walk(path);
    }
  };
  walk(root);
  return out.sort();
}

/** Directories matched by a path that is not excluded, as the git directories generator picks them. */
export function gitDirectories(root: string, rules: { path: string; exclude?: boolean }[]): string[] {
  const include = rules.filter((r) => !r.exclude);
  const exclude = rules.filter((r) => r.exclude);
  return directoriesOf(root).filter(
    (dir) =>
      include.some((r) => globMatch(r.path, dir, true)) && !exclude.some((r) => globMatch(r.path, dir, true)),
  );
}

/** `goPrefix`: goTemplate parameters (nested, under the prefix when not empty); undefined: fasttemplate's. */
function gitFiles(
  root: string,
  rules: { path: string }[],
  prefix: string,
  goPrefix?: string,
): Record<string, unknown>[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  const params: Record<string, unknown>[] = [];
  for (const file of files.sort()) {
    if (!rules.some((r) => globMatch(r.path, file))) continue;
    for (const doc of parseAllDocuments(readFileSync(join(root, file), 'utf8'))) {
      const value = doc.toJS() as unknown;
      if (!value || typeof value !== 'object') continue;
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        const dir = dirname(file) === '.' ? '' : dirname(file);
        if (goPrefix !== undefined)
          params.push({
            ...(item as Record<string, unknown>),
            ...goPathParams(dir, goPrefix || undefined, basename(file)),
          });
        else params.push({ ...flatten(item as Record<string, unknown>), ...fileParams(file, prefix) });
      }
    }
  }
  return params;
}

/** `path`, `path.basename`, `path.basenameNormalized`, `path[N]` of a directory. */
export function pathParams(dir: string, prefix = ''): Params {
  const params: Params = {
    [`${prefix}path`]: dir,
    [`${prefix}path.basename`]: basename(dir),
    [`${prefix}path.basenameNormalized`]: normalizeName(basename(dir)),
  };
  dir.split('/').forEach((segment, i) => {
    params[`${prefix}path[${i}]`] = segment;
  });
  return params;
}

function fileParams(file: string, prefix: string): Params {
  const dir = dirname(file);
  return {
    ...pathParams(dir === '.' ? '' : dir, prefix),
    [`${prefix}path.filename`]: basename(file),
    [`${prefix}path.filenameNormalized`]: normalizeName(basename(file)),
  };
}

/** As the ApplicationSet controller makes a name DNS-safe: lower case, other characters `-`. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-.]/g, '-');
}

/** Nested keys joined with `.`, as fasttemplate mode flattens an element's values. */
export function flatten(value: Record<string, unknown>, prefix = ''): Params {
  const out: Params = {};
  for (const [key, child] of Object.entries(value ?? {})) {
    if (child !== null && typeof child === 'object' && !Array.isArray(child))
      Object.assign(out, flatten(child as Record<string, unknown>, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = typeof child === 'string' ? child : JSON.stringify(child);
  }
  return out;
}

/** fasttemplate: each `{{ name }}` a parameter stands for is replaced; others are left as written. */
export function fillTemplate(text: string, params: Params): string {
  return text.replace(/\{\{([^}]*)\}\}/g, (whole, tag: string) => params[tag.trim()] ?? whole);
}

function fillDeep(value: unknown, params: Params): unknown {
  if (typeof value === 'string') return fillTemplate(value, params);
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, params));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [fillTemplate(k, params), fillDeep(v, params)]),
    );
  return value;
}

function applicationOf(appset: ApplicationSetObject, filled: unknown): Application {
  const template = (filled ?? {}) as {
    metadata?: Record<string, unknown>;
    spec?: unknown;
  };
  const metadata = {
    ...(template.metadata ?? {}),
    namespace: appset.metadata.namespace || 'argocd',
  } as Application['metadata'];
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata,
    spec: template.spec,
  } as Application;
}
