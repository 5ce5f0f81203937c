// The private keys that open sops data keys (age identities, OpenPGP private keys), and
// the opening itself: the first key of a file's key group that works yields the data key.
// openpgp and age-encryption are imported when a key is first used: together a third of the
// bundle, which most runs (no SOPS keys) need not load.
import { readFile } from 'node:fs/promises';
import type { PrivateKey } from 'openpgp';
import type { MasterKeys, SopsMetadata } from './metadata.ts';

export interface SopsKeySources {
  /** age identities (`AGE-SECRET-KEY-1…` lines; `#` comments allowed), as SOPS_AGE_KEY. */
  ageKey?: string;
  /** A file of age identities, as SOPS_AGE_KEY_FILE. */
  ageKeyFile?: string;
  /** Armored OpenPGP private keys (one or several blocks), unprotected. */
  pgpKey?: string;
  /** Also read the Secret a Kustomization names in `decryption.secretRef` (trusted runs only). */
  fromCluster?: boolean;
}

export interface SopsKeys {
  age: string[];
  pgp: PrivateKey[];
  /** Every secret string of the key material, for the redactor. */
  secrets: string[];
}

/** Raised when no given key opens a file's data key; the file is then left encrypted. */
export class SopsNoKeyError extends Error {}

export class SopsKeyError extends Error {}

export const noKeys = (): SopsKeys => ({ age: [], pgp: [], secrets: [] });

/** Reads and parses the key material once; a malformed key is an error naming its source. */
export async function loadSopsKeys(sources: SopsKeySources): Promise<SopsKeys> {
  const keys = noKeys();
  const addAge = (text: string, from: string) => {
    for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
      if (line === '' || line.startsWith('#')) continue;
      if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line)) {
        throw new SopsKeyError(`${from} holds a line that is not an age identity (AGE-SECRET-KEY-1…)`);
      }
      keys.age.push(line);
      keys.secrets.push(line);
    }
  };
  if (sources.ageKey) addAge(sources.ageKey, 'the sops age key (sops-age-key / SOPS_AGE_KEY)');
  if (sources.ageKeyFile) {
    let text: string;
    try {
      text = await readFile(sources.ageKeyFile, 'utf8');
    } catch (error) {
      throw new SopsKeyError(
        `cannot read the age key file ${sources.ageKeyFile} (SOPS_AGE_KEY_FILE): ${(error as Error).message}`,
      );
    }
    addAge(text, `the age key file ${sources.ageKeyFile}`);
  }
  if (sources.pgpKey?.trim()) {
    keys.secrets.push(...secretLines(sources.pgpKey));
    let parsed: PrivateKey[];
    try {
      const openpgp = await import('openpgp');
      parsed = await openpgp.readPrivateKeys({ armoredKeys: sources.pgpKey });
    } catch (error) {
      throw new SopsKeyError(
        `the sops PGP key (sops-pgp-key) is not an armored OpenPGP private key: ${(error as Error).message}`,
      );
    }
    for (const key of parsed) {
      if (!key.isDecrypted()) {
        throw new SopsKeyError(
          `the sops PGP key ${key.getFingerprint().toUpperCase()} is protected by a passphrase; export it without one (gpg --export-secret-keys after removing the passphrase)`,
        );
      }
      keys.pgp.push(key);
    }
  }
  return keys;
}

/** Both sets of keys, as kustomize-controller adds a secretRef's keys to its own. */
export function mergeKeys(a: SopsKeys, b: SopsKeys): SopsKeys {
  return { age: [...a.age, ...b.age], pgp: [...a.pgp, ...b.pgp], secrets: [...a.secrets, ...b.secrets] };
}

/**
 * The keys of a decryption Secret's data, named as kustomize-controller reads them:
 * `*.agekey` entries hold age identities, `*.asc` entries armored PGP private keys.
 */
export async function keysFromSecretData(data: Record<string, string>, subject: string): Promise<SopsKeys> {
  let keys = noKeys();
  for (const [name, value] of Object.entries(data)) {
    const source: SopsKeySources = name.endsWith('.agekey')
      ? { ageKey: value }
      : name.endsWith('.asc')
        ? { pgpKey: value }
        : {};
    try {
      keys = mergeKeys(keys, await loadSopsKeys(source));
    } catch (error) {
      throw new SopsKeyError(`${subject} key ${name}: ${(error as Error).message}`);
    }
  }
  return keys;
}

/**
 * The lines of key material to mask, one by one (a runner masks a multi-line secret badly):
 * identities and armored key bodies, not comments or armor headers.
 */
export function secretLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 16 && !line.startsWith('#') && !line.startsWith('-----'));
}

/** The file's data key, from the first key that opens it (age before PGP, as sops orders them). */
export async function openDataKey(metadata: SopsMetadata, keys: SopsKeys): Promise<Uint8Array> {
  if (metadata.keyGroups.length > 1) {
    throw new SopsKeyError(
      'the file splits its data key over several key groups (Shamir); kube-drift opens files with one key group',
    );
  }
  const group = metadata.keyGroups[0];
  const dataKey = (await openWithAge(group, keys)) ?? (await openWithPgp(group, keys));
  if (dataKey) {
    if (dataKey.length !== 32) throw new SopsKeyError(`the data key has ${dataKey.length} bytes, not 32`);
    return dataKey;
  }
  throw new SopsNoKeyError(`no key given opens it: it is encrypted for ${describeRecipients(group)}`);
}

async function openWithAge(group: MasterKeys, keys: SopsKeys): Promise<Uint8Array | undefined> {
  if (keys.age.length === 0) return undefined;
  const { armor, Decrypter } = await import('age-encryption');
  for (const entry of group.age) {
    const decrypter = new Decrypter();
    for (const identity of keys.age) decrypter.addIdentity(identity);
    try {
      return await decrypter.decrypt(armor.decode(entry.enc));
    } catch {
      // not this recipient's stanza, or not one of ours: try the next
    }
  }
  return undefined;
}

async function openWithPgp(group: MasterKeys, keys: SopsKeys): Promise<Uint8Array | undefined> {
  if (keys.pgp.length === 0) return undefined;
  const openpgp = await import('openpgp');
  for (const entry of group.pgp) {
    try {
      const message = await openpgp.readMessage({ armoredMessage: entry.enc });
      const { data } = await openpgp.decrypt({ message, decryptionKeys: keys.pgp, format: 'binary' });
      return data as Uint8Array;
    } catch {
      // encrypted for another key
    }
  }
  return undefined;
}

function describeRecipients(group: MasterKeys): string {
  const parts = [
    ...group.age.map((k) => `age ${k.recipient}`),
    ...group.pgp.map((k) => `PGP ${k.fingerprint}`),
    ...group.other.map((kind) => `${kind} (not supported by kube-drift)`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'no key at all';
}
