// Decrypts sops files without the sops binary: opens the data key with the given keys,
// decrypts each value that sops' rules say is encrypted, and verifies the MAC over the
// plaintext values in document order, so that a file changed without the key is refused.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { additionalData, decryptValue, macAdditionalData, macBytes, ValueDecryptError } from './cipher.ts';
import { openDataKey, SopsKeyError, type SopsKeys, SopsNoKeyError } from './keys.ts';
import { extractMetadata, type SopsMetadata } from './metadata.ts';
import {
  type Branch,
  isBranch,
  isLeaf,
  type Leaf,
  leafText,
  parseTree,
  type SopsFormat,
  SopsFormatError,
  type TreeValue,
  toPlain,
} from './tree.ts';

// sops seeds the MAC with sha256("sops") when it covers encrypted values only, so that the two
// kinds of MAC never match each other.
const MAC_ONLY_ENCRYPTED_SEED = Buffer.from(
  '8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69',
  'hex',
);

/** A file (or object) that could not be decrypted; names it and says why. */
export class SopsDecryptError extends Error {
  readonly file: string;
  /** True when no given key opens it: the caller may go on without its values. */
  readonly noKey: boolean;
  constructor(file: string, message: string, noKey = false) {
    super(`${file}: ${message}`);
    this.file = file;
    this.noKey = noKey;
  }
}

export interface DecryptedFile {
  documents: Branch[];
  /** The plaintext file in its own format, as `sops decrypt` would write it. */
  plaintext: Buffer;
}

/** Decrypts a whole file and verifies its MAC. */
export async function decryptFile(
  content: Buffer | string,
  format: SopsFormat,
  keys: SopsKeys,
  file: string,
): Promise<DecryptedFile> {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  const documents = guard(file, () => parseTree(text, format === 'binary' ? 'json' : format));
  const metadata = guard(file, () => extractMetadata(documents, format === 'binary' ? 'json' : format));
  await decryptDocuments(documents, metadata, keys, file, { verifyMac: true });
  return { documents, plaintext: emitPlain(documents, format, file) };
}

/**
 * Decrypts an object that kustomize built from an encrypted manifest, as kustomize-controller
 * does: kustomize adds and changes unencrypted fields (namespace, labels), so the MAC is
 * checked on the file in Git instead (see `decryptFile`), not on the built object.
 */
export async function decryptObject(
  object: Record<string, unknown>,
  keys: SopsKeys,
  subject: string,
): Promise<Record<string, unknown>> {
  const document = objectToTree(object) as Branch;
  const metadata = guard(subject, () => extractMetadata([document], 'json'));
  await decryptDocuments([document], metadata, keys, subject, { verifyMac: false });
  return toPlain(document) as Record<string, unknown>;
}

async function decryptDocuments(
  documents: Branch[],
  metadata: SopsMetadata,
  keys: SopsKeys,
  file: string,
  options: { verifyMac: boolean },
): Promise<void> {
  if (metadata.unencryptedCommentRegex || metadata.encryptedCommentRegex) {
    throw new SopsDecryptError(
      file,
      'encrypted_comment_regex and unencrypted_comment_regex are not supported; re-encrypt with encrypted_regex or a suffix rule',
    );
  }
  let dataKey: Uint8Array;
  try {
    dataKey = await openDataKey(metadata, keys);
  } catch (error) {
    if (error instanceof SopsNoKeyError) throw new SopsDecryptError(file, error.message, true);
    if (error instanceof SopsKeyError) throw new SopsDecryptError(file, error.message);
    throw error;
  }
  const shouldBeEncrypted = encryptionRule(metadata, file);
  const hash = createHash('sha512');
  if (metadata.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_SEED);
  const visit = (value: TreeValue, path: string[]): TreeValue => {
    if (value === null) return null;
    if (Array.isArray(value)) return value.map((item) => visit(item, path));
    if (isBranch(value)) {
      for (const item of value.items) item.value = visit(item.value, [...path, item.key]);
      return value;
    }
    const encrypted = shouldBeEncrypted(path);
    let plain: Leaf = value;
    if (encrypted) {
      if (value.type !== 'str') {
        throw new SopsDecryptError(
          file,
          `${path.join('.')} should be encrypted but holds a plain ${value.type}`,
        );
      }
      try {
        plain = decryptValue(value.value, dataKey, additionalData(path));
      } catch (error) {
        if (!(error instanceof ValueDecryptError)) throw error;
        throw new SopsDecryptError(file, `cannot decrypt ${path.join('.')}: ${error.message}`);
      }
    }
    if (!metadata.macOnlyEncrypted || encrypted) hash.update(macBytes(plain));
    return plain;
  };
  for (const document of documents) visit(document, []);
  if (!options.verifyMac) return;
  const computed = hash.digest('hex').toUpperCase();
  let stored: Leaf;
  try {
    stored = decryptValue(metadata.mac, dataKey, macAdditionalData(metadata.lastModified));
  } catch {
    throw new SopsDecryptError(
      file,
      'its MAC does not open with the data key: the file was altered after encryption',
    );
  }
  if (stored.type !== 'str' || stored.value !== computed) {
    throw new SopsDecryptError(
      file,
      'MAC mismatch: the file was changed without sops (values, keys or their order differ from what was encrypted); re-encrypt it with sops',
    );
  }
}

/** sops' `shouldBeEncrypted` for the suffix and regex rules (only one is ever set). */
function encryptionRule(metadata: SopsMetadata, file: string): (path: string[]) => boolean {
  const regex = (pattern: string) => {
    try {
      // RE2's leading (?i) is a flag in JavaScript.
      return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'i') : new RegExp(pattern);
    } catch {
      throw new SopsDecryptError(file, `the sops rule regex '${pattern}' is not understood`);
    }
  };
  const encryptedRegex = metadata.encryptedRegex ? regex(metadata.encryptedRegex) : undefined;
  const unencryptedRegex = metadata.unencryptedRegex ? regex(metadata.unencryptedRegex) : undefined;
  return (path) => {
    let encrypted = true;
    if (metadata.unencryptedSuffix && path.some((key) => key.endsWith(metadata.unencryptedSuffix)))
      encrypted = false;
    if (metadata.encryptedSuffix) encrypted = path.some((key) => key.endsWith(metadata.encryptedSuffix));
    if (unencryptedRegex && path.some((key) => unencryptedRegex.test(key))) encrypted = false;
    if (encryptedRegex) encrypted = path.some((key) => encryptedRegex.test(key));
    return encrypted;
  };
}

function emitPlain(documents: Branch[], format: SopsFormat, file: string): Buffer {
  if (format === 'binary') {
    const data = documents[0]?.items.find((item) => item.key === 'data')?.value;
    if (!data || !isLeaf(data) || data.type !== 'str')
      throw new SopsDecryptError(file, 'no binary data in the file');
    return Buffer.from(data.raw ?? Buffer.from(data.value, 'utf8'));
  }
  if (format === 'dotenv') {
    const lines = documents[0].items.map(({ key, value }) => {
      if (value !== null && !isLeaf(value))
        throw new SopsDecryptError(file, `${key} holds a structure, not a value`);
      return `${key}=${value === null ? '' : leafText(value).replaceAll('\n', '\\n')}\n`;
    });
    return Buffer.from(lines.join(''), 'utf8');
  }
  if (format === 'json') return Buffer.from(`${JSON.stringify(toPlain(documents[0]), null, '\t')}\n`, 'utf8');
  return Buffer.from(documents.map((doc) => stringify(toPlain(doc), { indent: 4 })).join('---\n'), 'utf8');
}

/** A parsed JSON object as sops' JSON store reads it: integers are ints, other numbers floats. */
function objectToTree(value: unknown): TreeValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(objectToTree);
  if (typeof value === 'object') {
    return { items: Object.entries(value).map(([key, child]) => ({ key, value: objectToTree(child) })) };
  }
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { type: 'int', value: BigInt(value) } : { type: 'float', value };
  }
  return { type: 'str', value: String(value) };
}

function guard<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SopsFormatError)
      throw new SopsDecryptError(file, `not a sops file: ${error.message}`);
    throw error;
  }
}

/** Whether text looks sops-encrypted in the given format (kustomize-controller's marker check). */
export function looksEncrypted(text: string, format: SopsFormat): boolean {
  if (format === 'dotenv') return /^sops_mac=ENC\[/m.test(text);
  if (format === 'yaml') return /^\s*mac: ENC\[/m.test(text) || /^\s*mac: ['"]?ENC\[/m.test(text);
  return /"mac":\s*"ENC\[/.test(text);
}
