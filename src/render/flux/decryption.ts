// SOPS decryption for Flux Kustomizations with `spec.decryption.provider: sops`, as
// kustomize-controller does it: generator sources decrypted before the build, Secret objects
// after it. Without a key the Secret stays comparable by metadata and key names.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { type DesiredObject, NOT_COMPARED_NO_KEY } from '../../model.ts';
import { collectManifests } from '../manifests.ts';
import { decryptFile, decryptObject, looksEncrypted, SopsDecryptError } from '../sops/decrypt.ts';
import type { SopsKeys } from '../sops/keys.ts';
import { hasSopsMetadata } from '../sops/metadata.ts';
import { formatForPath, type SopsFormat } from '../sops/tree.ts';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface DecryptionContext {
  keys: SopsKeys;
  /** The temporary copy of the repository the builds run in. */
  tree: string;
  /** A path in the tree as the file name users know (relative to the checkout). */
  fileName: (path: string) => string;
  /** Files verified so far: path → their decryption (MAC checked), shared by all Kustomizations. */
  verified?: Map<string, Promise<unknown>>;
  /** Encrypted manifests in the tree by their encrypted MAC, found once. */
  byMac?: Promise<Map<string, string>>;
}

export const decryptsWithSops = (spec: { decryption?: { provider?: string } }) =>
  spec.decryption?.provider === 'sops';

/**
 * Runs `build` with the sops-encrypted files that secretGenerators read decrypted into a
 * private directory (0700, removed afterwards) inside the build's tree, the kustomization files pointing at
 * them; the kustomization files are restored after the build.
 */
export async function withDecryptedSources<T>(
  dir: string,
  ctx: DecryptionContext,
  build: () => Promise<T>,
): Promise<T> {
  const originals = new Map<string, string>();
  let privateDir: string | undefined;
  const tree = await realpath(ctx.tree);
  const target = async (source: string, format: SopsFormat): Promise<string | undefined> => {
    // Only regular files that really are in the repository (a symlink may point anywhere).
    const real = await realpath(source).catch(() => undefined);
    if (!real || !isInside(tree, real) || !(await stat(real)).isFile()) return undefined;
    const content = await readFile(real);
    if (!looksEncrypted(content.toString('utf8'), format)) return undefined;
    let plaintext: Buffer;
    try {
      plaintext = (await decryptFile(content, format, ctx.keys, ctx.fileName(source))).plaintext;
    } catch (error) {
      // Without a key kustomize reads the encrypted file; the Secret is then marked, not decrypted.
      if (error instanceof SopsDecryptError && error.noKey) return undefined;
      throw error;
    }
    // Inside the build's own tree (itself a private copy), so the confinement check that runs
    // before kustomize finds the plaintext where the repository's files are.
    privateDir ??= await mkdtemp(join(tree, '.kube-drift-sops-'));
    const out = join(
      privateDir,
      `${originals.size}-${Math.random().toString(36).slice(2)}-${basename(source)}`,
    );
    await writeFile(out, plaintext, { mode: 0o600 });
    return out;
  };
  try {
    for (const file of kustomizationFiles(dir, ctx.tree)) {
      const text = readFileSync(file, 'utf8');
      const kustomization = (parseYaml(text) ?? {}) as Record<string, unknown>;
      if (await pointGeneratorsAtPlaintext(kustomization, dirname(file), target)) {
        originals.set(file, text);
        await writeFile(file, stringify(kustomization));
      }
    }
    return await build();
  } finally {
    for (const [file, text] of originals) await writeFile(file, text);
    if (privateDir) await rm(privateDir, { recursive: true, force: true });
  }
}

type Retarget = (source: string, format: SopsFormat) => Promise<string | undefined>;

async function pointGeneratorsAtPlaintext(
  kustomization: Record<string, unknown>,
  dir: string,
  target: Retarget,
): Promise<boolean> {
  let changed = false;
  const generators = Array.isArray(kustomization.secretGenerator) ? kustomization.secretGenerator : [];
  for (const generator of generators as Record<string, unknown>[]) {
    const envs = Array.isArray(generator.envs) ? (generator.envs as string[]) : [];
    for (const [index, env] of envs.entries()) {
      const format = formatForPath(env) === 'binary' ? 'dotenv' : formatForPath(env);
      const out = await target(resolve(dir, env), format);
      if (out) [envs[index], changed] = [out, true];
    }
    if (typeof generator.env === 'string') {
      const format = formatForPath(generator.env) === 'binary' ? 'dotenv' : formatForPath(generator.env);
      const out = await target(resolve(dir, generator.env), format);
      if (out) [generator.env, changed] = [out, true];
    }
    const files = Array.isArray(generator.files) ? (generator.files as string[]) : [];
    for (const [index, entry] of files.entries()) {
      const at = entry.indexOf('=');
      const path = at === -1 ? entry : entry.slice(at + 1);
      const key = at === -1 ? basename(path) : entry.slice(0, at);
      const out = await target(resolve(dir, path), formatForPath(key));
      if (out) [files[index], changed] = [`${key}=${out}`, true];
    }
  }
  return changed;
}

/** The kustomization files a build of `dir` reads: its own and those of local resources and components. */
function kustomizationFiles(dir: string, tree: string, seen = new Set<string>()): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const file = KUSTOMIZATION_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (!file) return [];
  let kustomization: Record<string, unknown>;
  try {
    kustomization = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch {
    return [file]; // kustomize reports the syntax error
  }
  const found = [file];
  for (const key of ['resources', 'components', 'bases']) {
    const entries = Array.isArray(kustomization[key]) ? (kustomization[key] as unknown[]) : [];
    for (const entry of entries) {
      if (typeof entry !== 'string' || entry.includes('://') || isAbsolute(entry)) continue;
      const path = resolve(dir, entry);
      if (isInside(tree, path) && existsSync(path) && statSync(path).isDirectory())
        found.push(...kustomizationFiles(path, tree, seen));
    }
  }
  return found;
}

/**
 * Decrypts the Secrets kustomize built (before post-build substitution, as Flux does). The
 * MAC is verified on the encrypted file in the repository, since kustomize changes fields of
 * the built object. Secrets no key opens are left for `markUndecrypted`.
 */
export async function decryptDocuments(documents: string[], ctx: DecryptionContext): Promise<string[]> {
  const out: string[] = [];
  for (const text of documents) {
    if (!text.includes('ENC[') && !SECRET_KIND.test(text)) {
      out.push(text);
      continue;
    }
    // Read as kubectl reads YAML (1.1), and written back as JSON, whose strings stay strings.
    const object = collectManifests(text, 'kustomize output').objects[0]?.object as
      | Record<string, unknown>
      | undefined;
    if (!object || (object.kind !== 'Secret' && !hasSopsMetadata(object)) || decryptionDisabled(object)) {
      out.push(text);
      continue;
    }
    try {
      let decrypted = object;
      if (hasSopsMetadata(object)) {
        const file = await verifySourceFile(String((object.sops as Record<string, unknown>).mac), ctx);
        const { stripped, added } = withoutBuildAnnotations(object);
        decrypted = restoreBuildAnnotations(
          await decryptObject(stripped, ctx.keys, file ?? subjectOfDocument(object)),
          added,
        );
        if (decrypted.kind !== 'Secret') {
          throw new Error(
            `${file ?? subjectOfDocument(decrypted)}: ${subjectOfDocument(decrypted)} is sops-encrypted but not a Secret; kube-drift decrypts only Secrets, whose values it masks`,
          );
        }
      }
      decrypted = await decryptDataFiles(decrypted, ctx, subjectOfDocument(decrypted));
      out.push(decrypted === object ? text : `${JSON.stringify(decrypted)}\n`);
    } catch (error) {
      if (error instanceof SopsDecryptError && error.noKey) out.push(text);
      else throw error;
    }
  }
  return out;
}

const SECRET_KIND = /^kind:\s*["']?Secret["']?\s*$/m;

/** Annotations kustomize adds while building (origins for provenance): not part of the sops file. */
const BUILD_ANNOTATION =
  /^(config\.kubernetes\.io\/origin|alpha\.config\.kubernetes\.io\/transformations|internal\.config\.kubernetes\.io\/.*)$/;

function withoutBuildAnnotations(object: Record<string, unknown>): {
  stripped: Record<string, unknown>;
  added: Record<string, string>;
} {
  const metadata = object.metadata as Record<string, unknown> | undefined;
  const annotations = metadata?.annotations as Record<string, string> | undefined;
  if (!annotations) return { stripped: object, added: {} };
  const added: Record<string, string> = {};
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations)) {
    if (BUILD_ANNOTATION.test(key)) added[key] = value;
    else kept[key] = value;
  }
  if (Object.keys(added).length === 0) return { stripped: object, added };
  const { annotations: _dropped, ...rest } = metadata!;
  const strippedMetadata = Object.keys(kept).length > 0 ? { ...rest, annotations: kept } : rest;
  return { stripped: { ...object, metadata: strippedMetadata }, added };
}

function restoreBuildAnnotations(
  object: Record<string, unknown>,
  added: Record<string, string>,
): Record<string, unknown> {
  if (Object.keys(added).length === 0) return object;
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const annotations = { ...((metadata.annotations as Record<string, string>) ?? {}), ...added };
  return { ...object, metadata: { ...metadata, annotations } };
}

/** Secret data values that are whole sops files (a generator read them as they are). */
async function decryptDataFiles(
  object: Record<string, unknown>,
  ctx: DecryptionContext,
  subject: string,
): Promise<Record<string, unknown>> {
  const data = object.data as Record<string, string> | undefined;
  if (!data || typeof data !== 'object') return object;
  let changed: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(data)) {
    const content = typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
    const format = content && markerFormat(content.toString('utf8'));
    if (!content || !format) continue;
    const plain = await decryptFile(content, format, ctx.keys, `${subject} data ${key}`);
    changed ??= { ...data };
    changed[key] = plain.plaintext.toString('base64');
  }
  return changed ? { ...object, data: changed } : object;
}

function markerFormat(text: string): SopsFormat | undefined {
  if (looksEncrypted(text, 'dotenv')) return 'dotenv';
  if (looksEncrypted(text, 'yaml')) return 'yaml';
  if (looksEncrypted(text, 'json')) return /^\s*\{\s*"data"\s*:/.test(text) ? 'binary' : 'json';
  return undefined;
}

/**
 * Finds the file in the repository that holds this MAC and verifies it once (the MAC names
 * the file). Returns its name as users know it, when it is in the repository.
 */
async function verifySourceFile(mac: string, ctx: DecryptionContext): Promise<string | undefined> {
  const file = await sourceFileOf(mac, ctx);
  if (!file) return undefined;
  ctx.verified ??= new Map();
  let check = ctx.verified.get(file);
  if (!check) {
    check = readFile(file).then((content) =>
      decryptFile(content, formatForPath(file) === 'json' ? 'json' : 'yaml', ctx.keys, ctx.fileName(file)),
    );
    ctx.verified.set(file, check);
  }
  await check;
  return ctx.fileName(file);
}

async function sourceFileOf(mac: string, ctx: DecryptionContext): Promise<string | undefined> {
  ctx.byMac ??= indexEncryptedManifests(ctx.tree);
  return (await ctx.byMac).get(mac);
}

async function indexEncryptedManifests(tree: string): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  const entries = await readdir(tree, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !/\.(ya?ml|json)$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    for (const match of text.matchAll(/["']?mac["']?\s*:\s*["']?(ENC\[AES256_GCM,[^\]]+\])/g)) {
      index.set(match[1], path);
    }
  }
  return index;
}

/**
 * Secrets still encrypted after decryption (no key opens them) lose their sops metadata and
 * are marked so that the plan compares their metadata and key names only. Objects whose kind
 * or name is encrypted too cannot be told apart: they are left out and their files returned.
 * In a Kustomization without decryption an encrypted Secret is an error, as Flux would fail.
 */
export async function markUndecrypted(
  objects: DesiredObject[],
  ctx: DecryptionContext,
  decryption: boolean,
  group: string,
): Promise<{ objects: DesiredObject[]; unidentified: string[] }> {
  const kept: DesiredObject[] = [];
  const unidentified: string[] = [];
  for (const desired of objects) {
    const object = desired.object as Record<string, unknown> & DesiredObject['object'];
    const sealed = hasSopsMetadata(object);
    if (sealed && decryption && encryptedIdentity(object)) {
      const file = await sourceFileOf(String((object.sops as Record<string, unknown>).mac), ctx);
      unidentified.push(file ? ctx.fileName(file) : `an object of ${group}`);
      continue;
    }
    kept.push(desired);
    if (object.kind !== 'Secret' || decryptionDisabled(object)) continue;
    const data = (object.data ?? {}) as Record<string, string>;
    const envFile = typeof data.sops_mac === 'string';
    const fileValues = Object.values(data).some(
      (value) => typeof value === 'string' && markerFormat(Buffer.from(value, 'base64').toString('utf8')),
    );
    if (!sealed && !envFile && !fileValues) continue;
    if (!decryption) {
      throw new Error(
        `${subjectOfDocument(object)} is SOPS encrypted, but ${group} has no spec.decryption (provider: sops); Flux requires it to reconcile this Secret`,
      );
    }
    delete object.sops;
    if (envFile) {
      for (const key of Object.keys(data)) if (key.startsWith('sops_')) delete data[key];
    }
    desired.valuesNotCompared = NOT_COMPARED_NO_KEY;
  }
  return { objects: kept, unidentified };
}

const ENCRYPTED_VALUE = /^ENC\[AES256_GCM,/;

/** The object opts out with `kustomize.toolkit.fluxcd.io/decrypt: disabled`, as Flux allows. */
function decryptionDisabled(object: Record<string, unknown>): boolean {
  const annotations = (object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  return annotations?.['kustomize.toolkit.fluxcd.io/decrypt']?.toLowerCase() === 'disabled';
}

function encryptedIdentity(object: Record<string, unknown>): boolean {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  return [object.apiVersion, object.kind, metadata.name, metadata.namespace].some(
    (value) => typeof value === 'string' && ENCRYPTED_VALUE.test(value),
  );
}

function subjectOfDocument(object: Record<string, unknown>): string {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return [object.kind, metadata.namespace, metadata.name].filter(Boolean).join('/');
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
