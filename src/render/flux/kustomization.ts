// Builds one Flux Kustomization as kustomize-controller does: write (or rewrite) the
// kustomization file in spec.path with the Flux options, `kustomize build` without load
// restrictions (every file reference checked to stay in the repository first), then
// post-build substitution per object. Always in a temporary copy of the repository, never in
// the user's checkout.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { type Confinement, describeViolation, escapes } from '../confine.ts';
import { withOrigins } from '../kustomize-origin-annotations.ts';
import { checkKustomization, loadRestrictorFlag } from '../kustomize-refs.ts';
import { failureMessage, runTool } from '../tools.ts';
import { SubstitutionError, substitute, VARIABLE_NAME } from './envsubst.ts';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';

export interface KustomizationSpec {
  path?: string;
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: { patch: string; target?: Record<string, unknown> }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  components?: string[];
  ignoreMissingComponents?: boolean;
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Flux 2.9: kustomize build metadata (`originAnnotations`, `transformerAnnotations`), applied with the objects. */
  buildMetadata?: string[];
  postBuild?: {
    substitute?: Record<string, string>;
    substituteFrom?: { kind: 'ConfigMap' | 'Secret'; name: string; optional?: boolean }[];
    /** Flux 2.9: `Always` substitutes even with no variables (for `${var:=default}`). */
    substituteStrategy?: 'WithVariables' | 'Always';
  };
  decryption?: { provider?: string; secretRef?: { name: string } };
}

function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(dir, name)).find((file) => existsSync(file));
}

/** What kustomize-controller lists when a path has no kustomization: YAML files and kustomize dirs. */
export function scanResources(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (kustomizationFile(path)) found.push(`./${relative(dir, path)}`);
        else walk(path);
      } else if (['.yaml', '.yml'].includes(extname(entry.name))) {
        found.push(`./${relative(dir, path)}`);
      }
    }
  };
  walk(dir);
  return found;
}

/** The kustomization document Flux writes into spec.path before building. */
export function fluxKustomization(dir: string, spec: KustomizationSpec): Record<string, unknown> {
  const existing = kustomizationFile(dir);
  let kus: Record<string, unknown>;
  if (existing) {
    kus = (parseYaml(readFileSync(existing, 'utf8')) as Record<string, unknown>) ?? {};
    if (!Array.isArray(kus.resources) || kus.resources.length === 0)
      kus.buildMetadata = ['originAnnotations'];
  } else {
    const resources = scanResources(dir);
    kus = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
    if (resources.length === 0) kus.namespace = '_placeholder';
    else kus.resources = resources;
  }
  if (spec.targetNamespace !== undefined) kus.namespace = spec.targetNamespace;
  if (spec.namePrefix !== undefined) kus.namePrefix = spec.namePrefix;
  if (spec.nameSuffix !== undefined) kus.nameSuffix = spec.nameSuffix;
  if (spec.patches?.length) {
    kus.patches = [...((kus.patches as unknown[]) ?? []), ...spec.patches];
  }
  for (const component of spec.components ?? []) {
    if (component.startsWith('/') || component.includes('://')) {
      throw new Error(`component path '${component}' must be local and relative`);
    }
    if (spec.ignoreMissingComponents && !existsSync(join(dir, component))) continue;
    kus.components = [...((kus.components as unknown[]) ?? []), component];
  }
  if (spec.buildMetadata?.length) kus.buildMetadata = spec.buildMetadata;
  if (spec.images?.length) {
    const images = [...((kus.images as { name: string }[]) ?? [])];
    for (const image of spec.images) {
      const at = images.findIndex((existingImage) => existingImage.name === image.name);
      if (at === -1) images.push(image);
      else images[at] = image;
    }
    kus.images = images;
  }
  return kus;
}

/**
 * Writes Flux's kustomization into `dir` (inside a temporary copy), builds it with
 * kubectl and restores the directory. Returns the multi-document YAML kustomize printed.
 */
export async function buildFluxKustomization(
  dir: string,
  spec: KustomizationSpec,
  kubectl: string,
  confine: Confinement,
): Promise<string> {
  // Checked before anything is written there: a path climbing out would be written to, and read.
  const outside = escapes(confine, dir);
  if (outside) {
    throw new Error(
      describeViolation({ file: '', field: 'spec.path', path: spec.path ?? './', reason: outside }),
    );
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`spec.path '${spec.path ?? './'}' is not a directory in the repository`);
  }
  const existing = kustomizationFile(dir);
  const target = existing ?? join(dir, 'kustomization.yaml');
  // The file is read and rewritten: a symlink out would be read from and written through.
  const linked = escapes(confine, target);
  if (linked) {
    const path = relative(dir, target);
    throw new Error(describeViolation({ file: '', field: 'kustomization file', path, reason: linked }));
  }
  const original = existing ? readFileSync(existing, 'utf8') : undefined;
  // Origin annotations always, for provenance; dropped afterwards unless Flux would apply them.
  writeFileSync(target, stringify(withOrigins(fluxKustomization(dir, spec))));
  try {
    const check = checkKustomization(confine, dir);
    if (check.violations.length > 0)
      throw new Error(check.violations.map((v) => `${v.file}: ${describeViolation(v)}`).join('\n'));
    const run = await runTool(kubectl, ['kustomize', dir, loadRestrictorFlag(check)], dir);
    if (run.exitCode !== 0) throw new Error(failureMessage(run));
    return run.stdout;
  } finally {
    if (original === undefined) await rm(target, { force: true });
    else writeFileSync(target, original);
  }
}

/** The documents of kustomize's output, as text (kustomize separates them with `---` lines). */
export function splitDocuments(text: string): string[] {
  return text
    .split(/^---[ \t]*$/m)
    .map((doc) => doc.replace(/^\n/, ''))
    .filter((doc) => doc.trim() !== '');
}

/**
 * Post-build substitution over each document as kustomize-controller does: skipped when
 * there are no variables at all or when the object opts out with the substitute label or
 * annotation; newlines in values are dropped.
 */
export function substituteDocuments(
  documents: string[],
  variables: Record<string, string>,
  strict: boolean,
  always = false,
): string[] {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (!VARIABLE_NAME.test(name)) {
      throw new SubstitutionError(`'${name}' var name is invalid, must match '${VARIABLE_NAME.source}'`);
    }
    vars[name] = value.replaceAll('\n', '');
  }
  if (Object.keys(vars).length === 0 && !always) return documents;
  return documents.map((doc) => {
    const object = parseAllDocuments(doc)[0]?.toJS() as
      | { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } }
      | undefined;
    const meta = object?.metadata;
    if (meta?.labels?.[SUBSTITUTE_KEY] === 'disabled' || meta?.annotations?.[SUBSTITUTE_KEY] === 'disabled') {
      return doc;
    }
    return substitute(doc, vars, strict);
  });
}
