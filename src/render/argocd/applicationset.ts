// ApplicationSets expanded as the ApplicationSet controller does: list, git directories and
// git files generators, parameters put into the template with fasttemplate's `{{param}}`.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../model.ts';
import { globMatch } from './glob.ts';
import { normalizeRepoUrl } from './repos.ts';
import type { Application } from './types.ts';

export type Params = Record<string, string>;

interface Generator {
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
export function expandApplicationSet(
  appset: ApplicationSetObject,
  repos: Map<string, string>,
): { applications: Application[]; skipped: string[] } {
  const spec = appset.spec ?? {};
  const name = `ApplicationSet ${appset.metadata.namespace || 'argocd'}/${appset.metadata.name}`;
  if (spec.goTemplate)
    return {
      applications: [],
      skipped: [`${name}: goTemplate is not supported yet; its Applications are not rendered`],
    };
  const skipped: string[] = [];
  const applications: Application[] = [];
  for (const [i, generator] of (spec.generators ?? []).entries()) {
    const params = generatorParams(generator, repos);
    if (typeof params === 'string') {
      skipped.push(`${name}: generator ${i} ${params}`);
      continue;
    }
    for (const p of params) applications.push(applicationOf(appset, p));
  }
  return { applications, skipped };
}

function generatorParams(generator: Generator, repos: Map<string, string>): Params[] | string {
  if (generator.list) return (generator.list.elements ?? []).map((e) => flatten(e));
  const git = generator.git;
  if (!git) return `(${Object.keys(generator).join(', ')}) is not supported yet: skipped`;
  const root = git.repoURL ? repos.get(normalizeRepoUrl(git.repoURL)) : undefined;
  if (!root) return `reads ${git.repoURL}, which is not this checkout (map it with argocd-repos): skipped`;
  const prefix = git.pathParamPrefix ? `${git.pathParamPrefix}.` : '';
  if (git.directories) return gitDirectories(root, git.directories).map((dir) => pathParams(dir, prefix));
  if (git.files) return gitFiles(root, git.files, prefix);
  return 'has neither directories nor files: skipped';
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

function gitFiles(root: string, rules: { path: string }[], prefix: string): Params[] {
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
  const params: Params[] = [];
  for (const file of files.sort()) {
    if (!rules.some((r) => globMatch(r.path, file))) continue;
    for (const doc of parseAllDocuments(readFileSync(join(root, file), 'utf8'))) {
      const value = doc.toJS() as unknown;
      if (!value || typeof value !== 'object') continue;
      const items = Array.isArray(value) ? value : [value];
      for (const item of items)
        params.push({ ...flatten(item as Record<string, unknown>), ...fileParams(file, prefix) });
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

function applicationOf(appset: ApplicationSetObject, params: Params): Application {
  const template = (fillDeep(appset.spec?.template ?? {}, params) ?? {}) as {
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
