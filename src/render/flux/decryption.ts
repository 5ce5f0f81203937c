// SOPS decryption of the Secrets a Flux Kustomization with `spec.decryption.provider: sops`
// built, as kustomize-controller does it after the build (generator sources are decrypted
// before it, in generators.ts). Without a key the Secret stays comparable by key names.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DesiredObject, NOT_COMPARED_NO_KEY } from '../../model.ts';
import { collectManifests } from '../manifests.ts';
import { decryptFile, decryptObject, looksEncrypted, SopsDecryptError } from '../sops/decrypt.ts';
import type { SopsKeys } from '../sops/keys.ts';
import { hasSopsMetadata } from '../sops/metadata.ts';
import { formatForPath, type SopsFormat } from '../sops/tree.ts';

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
 * Decrypts the Secrets kustomize built (before post-build substitution, as Flux does). The
 * MAC is verified on the encrypted file in the repository, since kustomize changes fields of
 * the built object. Secrets no key opens are left for `markUndecrypted`.
 */
export async function decryptDocuments(
  documents: string[],
  ctx: DecryptionContext,
  /** Told the index of each document decrypted. */
  decryptedIndices?: Set<number>,
): Promise<string[]> {
  const out: string[] = [];
  for (const [index, text] of documents.entries()) {
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
      if (decrypted !== object) decryptedIndices?.add(index);
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
