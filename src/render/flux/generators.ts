// The files that kustomize secretGenerators read, decrypted before the build as
// kustomize-controller does: written to a private directory inside the build's tree, the
// kustomization files pointed at them, and all put back after the build.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { decryptFile, looksEncrypted, SopsDecryptError } from '../sops/decrypt.ts';
import { formatForPath, type SopsFormat } from '../sops/tree.ts';
import type { DecryptionContext } from './decryption.ts';
import { type StandIn, standInFile } from './untrusted.ts';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface GeneratorSourceOptions {
  /** Write this stand-in instead of the plaintext (same keys for dotenv files). */
  standIn?: StandIn;
  /** Told each kustomization file whose generators read a decrypted file. */
  onDecrypted?: (kustomizationFile: string) => void;
}

/**
 * Runs `build` with the sops-encrypted files that secretGenerators read decrypted into a
 * private directory (0700, removed afterwards) inside the build's tree, the kustomization files pointing at
 * them; the kustomization files are restored after the build.
 */
export async function withDecryptedSources<T>(
  dir: string,
  ctx: DecryptionContext,
  build: () => Promise<T>,
  options: GeneratorSourceOptions = {},
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
    const written =
      options.standIn === undefined ? plaintext : standInFile(plaintext, format, options.standIn);
    await writeFile(out, written, { mode: 0o600 });
    return out;
  };
  try {
    for (const file of kustomizationFiles(dir, ctx.tree)) {
      const text = readFileSync(file, 'utf8');
      const kustomization = (parseYaml(text) ?? {}) as Record<string, unknown>;
      if (await pointGeneratorsAtPlaintext(kustomization, dirname(file), target)) {
        originals.set(file, text);
        options.onDecrypted?.(file);
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

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
