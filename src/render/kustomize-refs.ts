// Checks every file reference of a kustomization tree against the confinement before kustomize runs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type Confinement, escapes, treeViolations, type Violation } from './confine.ts';
import { kustomizationFileIn } from './paths.ts';

export interface KustomizationCheck {
  violations: Violation[];
  /**
   * A reference kustomize fetches (a URL, `github.com/...`). Its content cannot be checked
   * before the build, so the build must confine it with kustomize's own root-only load
   * restrictor.
   */
  remote: boolean;
}

/**
 * `--load-restrictor` for a checked tree. Local trees are built without restrictions, as
 * Flux builds them, so `../shared` files work; the check above keeps them in the repository.
 */
export function loadRestrictorFlag(check: KustomizationCheck): string {
  return `--load-restrictor=${check.remote ? 'LoadRestrictionsRootOnly' : 'LoadRestrictionsNone'}`;
}

/** `either`: a file or a kustomization directory; `tree`: a directory loaded whole (Helm's chart and config homes). */
type Ref = { field: string; path: string; kind: 'file' | 'either' | 'tree'; unreadable?: string };

/**
 * YAML as kustomize reads it (merge keys applied). Anything this cannot read is refused
 * rather than skipped: a file the check cannot see into may name files it did not check.
 */
function readYaml(text: string): unknown[] {
  return parseAllDocuments(text, { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: 100 });
  });
}

const MAX_DEPTH = 50;

/** Checks the kustomization in `dir` and every kustomization it reaches. */
export function checkKustomization(c: Confinement, dir: string): KustomizationCheck {
  const result: KustomizationCheck = { violations: [], remote: false };
  const visited = new Set<string>();
  const visit = (current: string, depth: number) => {
    const key = resolve(current);
    if (visited.has(key)) return;
    visited.add(key);
    const kustomizationFile = kustomizationFileIn(current);
    if (!kustomizationFile) return; // kustomize reports it.
    const file = c.name(kustomizationFile);
    if (depth > MAX_DEPTH) {
      const reason = `is nested more than ${MAX_DEPTH} kustomizations deep, too deep to check`;
      result.violations.push({ file, field: 'kustomization', path: file, reason });
      return;
    }
    const own = escapes(c, kustomizationFile);
    if (own) {
      result.violations.push({ file, field: 'kustomization', path: file, reason: own });
      return;
    }
    let kustomization: unknown;
    try {
      [kustomization] = readYaml(readFileSync(kustomizationFile, 'utf8'));
    } catch (error) {
      const reason = `cannot be checked: ${(error as Error).message.split('\n')[0]}`;
      result.violations.push({ file, field: 'kustomization', path: file, reason });
      return;
    }
    if (!isRecord(kustomization)) return;
    for (const ref of referencesOf(c, kustomization, current)) {
      const outcome = judge(c, current, ref);
      if (outcome === 'remote') result.remote = true;
      else if (typeof outcome === 'object') result.violations.push({ file, ...outcome });
      else if (outcome === 'dir' && ref.kind === 'tree')
        result.violations.push(...treeViolations(c, resolve(current, ref.path), file));
      else if (outcome === 'dir') visit(resolve(current, ref.path), depth + 1);
    }
  };
  visit(dir, 0);
  return result;
}

// What kustomize's repo-spec parser takes for a remote target: a URL (`https://`, `ssh://`,
// `git::...`), scp-like `git@host:repo`, or the `gh:` and `github.com` shorthands. Any other
// name that is not a local path fails the build.
const URL_LIKE = /^[a-z][a-z0-9+.-]*::|^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[\w.-]+@[\w.-]+:/;
const SHORTHAND = /^(gh:|github\.com[/:])/i;

/** What to do with one reference: a violation, 'remote', 'dir' (recurse), or 'ok'. */
function judge(c: Confinement, dir: string, ref: Ref): Omit<Violation, 'file'> | 'remote' | 'dir' | 'ok' {
  const { field, path } = ref;
  if (ref.unreadable) return { field, path, reason: `cannot be checked: ${ref.unreadable}` };
  if (/^(git::)?file:/i.test(path)) return { field, path, reason: 'reads a local Git repository by URL' };
  if (ref.kind !== 'file' && (URL_LIKE.test(path) || SCP_LIKE.test(path) || SHORTHAND.test(path)))
    return 'remote';
  if (ref.kind === 'file' && /^https?:\/\//i.test(path)) return 'remote';
  const absolute = resolve(dir, path);
  const reason = escapes(c, absolute);
  if (reason) return { field, path, reason };
  if (!existsSync(absolute)) return 'ok'; // kustomize reports it missing.
  return ref.kind !== 'file' && statSync(absolute).isDirectory() ? 'dir' : 'ok';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter(isRecord) : [];

/** A string entry that is YAML for an object (an inline patch or plugin config), not a path. */
function isInline(entry: string): boolean {
  if (!entry.includes('\n') && !entry.includes(': ') && !entry.includes('{')) return false;
  try {
    return readYaml(entry).some(isRecord);
  } catch {
    return false;
  }
}

/** Every file or directory a kustomization (or Component) loads, with the field that names it. */
function referencesOf(c: Confinement, k: Record<string, unknown>, dir: string): Ref[] {
  const refs: Ref[] = [];
  const add = (field: string, kind: Ref['kind'], path: unknown) => {
    if (typeof path === 'string' && path !== '') refs.push({ field, path, kind });
  };
  for (const field of ['resources', 'bases', 'components'])
    for (const entry of strings(k[field])) add(field, 'either', entry);
  for (const field of ['crds', 'configurations'])
    for (const entry of strings(k[field])) add(field, 'file', entry);
  if (isRecord(k.openapi)) add('openapi.path', 'file', k.openapi.path);
  for (const field of ['configMapGenerator', 'secretGenerator'])
    records(k[field]).forEach((generator, i) => {
      refs.push(...generatorRefs(generator, `${field}[${i}]`));
    });
  for (const field of ['patches', 'patchesJson6902', 'replacements'])
    records(k[field]).forEach((entry, i) => {
      add(`${field}[${i}].path`, 'file', entry.path);
    });
  for (const entry of strings(k.patchesStrategicMerge))
    if (!isInline(entry)) add('patchesStrategicMerge', 'file', entry);
  refs.push(...helmRefs(k));
  for (const field of ['generators', 'transformers', 'validators']) {
    for (const entry of strings(k[field])) {
      if (isInline(entry)) refs.push(...pluginConfigRefs(entry, field, '(inline)'));
      else {
        add(field, 'either', entry);
        refs.push(...pluginFileRefs(c, resolve(dir, entry), field));
      }
    }
  }
  return refs;
}

/** `files` (`key=path` or `path`), `envs` and `env` of a generator or its plugin config. */
function generatorRefs(generator: Record<string, unknown>, field: string): Ref[] {
  const refs: Ref[] = [];
  for (const entry of strings(generator.files)) {
    const at = entry.indexOf('=');
    refs.push({ field: `${field}.files`, path: at === -1 ? entry : entry.slice(at + 1), kind: 'file' });
  }
  for (const entry of strings(generator.envs))
    refs.push({ field: `${field}.envs`, path: entry, kind: 'file' });
  if (typeof generator.env === 'string')
    refs.push({ field: `${field}.env`, path: generator.env, kind: 'file' });
  return refs;
}

/** helmCharts' values files and the chart and config homes (kustomize's --enable-helm). */
function helmRefs(k: Record<string, unknown>): Ref[] {
  const refs: Ref[] = [];
  const add = (field: string, path: unknown, kind: Ref['kind'] = 'file') => {
    if (typeof path === 'string' && path !== '') refs.push({ field, path, kind });
  };
  const globals = isRecord(k.helmGlobals) ? k.helmGlobals : {};
  const charts = records(k.helmCharts);
  add('helmGlobals.configHome', globals.configHome, 'tree');
  // Charts are loaded from chartHome, `charts` next to the kustomization unless set.
  if (charts.length > 0 || globals.chartHome !== undefined)
    add('helmGlobals.chartHome', globals.chartHome ?? 'charts', 'tree');
  // The deprecated form: `values` is a file, `chartHome` a directory.
  records(k.helmChartInflationGenerator).forEach((chart, i) => {
    add(`helmChartInflationGenerator[${i}].chartHome`, chart.chartHome, 'tree');
    add(`helmChartInflationGenerator[${i}].values`, chart.values);
  });
  charts.forEach((chart, i) => {
    add(`helmCharts[${i}].valuesFile`, chart.valuesFile);
    for (const file of strings(chart.additionalValuesFiles))
      add(`helmCharts[${i}].additionalValuesFiles`, file);
  });
  return refs;
}

/** Plugin configs (builtin generators and transformers) name files with these fields. */
function pluginRefs(config: Record<string, unknown>, field: string): Ref[] {
  const name = `${field} ${typeof config.kind === 'string' ? config.kind : 'config'}`;
  const refs: Ref[] = [...generatorRefs(config, name)];
  if (typeof config.path === 'string') refs.push({ field: `${name}.path`, path: config.path, kind: 'file' });
  for (const path of strings(config.paths)) refs.push({ field: `${name}.paths`, path, kind: 'file' });
  records(config.replacements).forEach((entry, i) => {
    if (typeof entry.path === 'string')
      refs.push({ field: `${name}.replacements[${i}].path`, path: entry.path, kind: 'file' });
  });
  if (typeof config.chartHome === 'string')
    refs.push({ field: `${name}.chartHome`, path: config.chartHome, kind: 'tree' });
  if (typeof config.valuesFile === 'string')
    refs.push({ field: `${name}.valuesFile`, path: config.valuesFile, kind: 'file' });
  for (const path of strings(config.additionalValuesFiles))
    refs.push({ field: `${name}.additionalValuesFiles`, path, kind: 'file' });
  return refs;
}

function pluginConfigRefs(text: string, field: string, label: string): Ref[] {
  try {
    return readYaml(text).flatMap((config) => (isRecord(config) ? pluginRefs(config, field) : []));
  } catch (error) {
    const unreadable = (error as Error).message.split('\n')[0];
    return [{ field, path: label, kind: 'file', unreadable }];
  }
}

/** The plugin configs in a generators/transformers/validators file, or in the resource files of such a directory. */
function pluginFileRefs(c: Confinement, path: string, field: string): Ref[] {
  if (!existsSync(path) || escapes(c, path)) return []; // An escaping entry is itself a violation.
  const text = (file: string) => readFileSync(file, 'utf8');
  if (!statSync(path).isDirectory()) return pluginConfigRefs(text(path), field, c.name(path));
  const file = kustomizationFileIn(path);
  if (!file) return [];
  let inner: unknown;
  try {
    [inner] = readYaml(text(file));
  } catch {
    return []; // Checked, and refused, when the directory itself is visited.
  }
  if (!isRecord(inner)) return [];
  // Configs produced by a kustomization directory may be resolved from either directory: check both.
  return strings(inner.resources)
    .map((entry) => resolve(path, entry))
    .filter((resource) => existsSync(resource) && !escapes(c, resource) && statSync(resource).isFile())
    .flatMap((resource) => pluginConfigRefs(text(resource), field, c.name(resource)))
    .flatMap((ref) => (ref.unreadable ? [ref] : [ref, { ...ref, path: resolve(path, ref.path) }]));
}
