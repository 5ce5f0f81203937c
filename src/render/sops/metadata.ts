// The `sops` metadata of an encrypted file: who can open its data key, which values are
// encrypted, and the encrypted MAC; taken out of the tree as sops' stores take it out.
import { type Branch, type SopsFormat, SopsFormatError, type TreeValue, toPlain } from './tree.ts';

export interface MasterKeys {
  age: { recipient: string; enc: string }[];
  pgp: { fingerprint: string; enc: string }[];
  /** Key kinds kube-drift cannot use (cloud KMS, Vault): named in errors. */
  other: string[];
}

export interface SopsMetadata {
  /** One group, or several split with Shamir's scheme. */
  keyGroups: MasterKeys[];
  shamirThreshold: number;
  lastModified: string;
  mac: string;
  unencryptedSuffix: string;
  encryptedSuffix: string;
  unencryptedRegex: string;
  encryptedRegex: string;
  unencryptedCommentRegex: string;
  encryptedCommentRegex: string;
  macOnlyEncrypted: boolean;
}

const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';
const OTHER_KINDS = ['kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms'];

/** Whether a parsed object (a rendered Secret) carries sops metadata with a MAC, as kustomize-controller checks. */
export function hasSopsMetadata(object: Record<string, unknown>): boolean {
  const sops = object.sops as Record<string, unknown> | undefined;
  return typeof sops === 'object' && sops !== null && typeof sops.mac === 'string' && sops.mac !== '';
}

/**
 * Removes the metadata from the documents and returns it. YAML and JSON keep it under a
 * top-level `sops` key of the first document (and sops drops that key from every document);
 * dotenv flattens it into `sops_…` keys.
 */
export function extractMetadata(branches: Branch[], format: SopsFormat): SopsMetadata {
  let raw: Record<string, unknown> | undefined;
  if (format === 'dotenv') {
    const first = branches[0];
    const flat: [string, TreeValue][] = [];
    first.items = first.items.filter(({ key, value }) => {
      if (!key.startsWith('sops_')) return true;
      flat.push([key.slice('sops_'.length), value]);
      return false;
    });
    if (flat.length > 0) raw = unflatten(flat);
  } else {
    for (const [index, branch] of branches.entries()) {
      const at = branch.items.findIndex((item) => item.key === 'sops');
      if (at === -1) continue;
      if (index === 0) raw = toPlain(branch.items[at].value) as Record<string, unknown>;
      branch.items.splice(at, 1);
    }
  }
  if (!raw || typeof raw !== 'object') throw new SopsFormatError('no sops metadata found');
  return readMetadata(raw);
}

function readMetadata(raw: Record<string, unknown>): SopsMetadata {
  const text = (key: string) => (raw[key] === undefined || raw[key] === null ? '' : String(raw[key]));
  const groups = Array.isArray(raw.key_groups)
    ? (raw.key_groups as Record<string, unknown>[]).map(masterKeys)
    : [masterKeys(raw)];
  const rules = ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex'];
  const commentRules = ['unencrypted_comment_regex', 'encrypted_comment_regex'];
  const set = [...rules, ...commentRules].filter((key) => text(key) !== '');
  if (set.length > 1) throw new SopsFormatError(`sops metadata sets more than one of ${set.join(', ')}`);
  if (!text('lastmodified')) throw new SopsFormatError('sops metadata has no lastmodified');
  return {
    keyGroups: groups,
    shamirThreshold: Number(raw.shamir_threshold ?? 0),
    lastModified: text('lastmodified'),
    mac: text('mac'),
    unencryptedSuffix: set.length === 0 ? DEFAULT_UNENCRYPTED_SUFFIX : text('unencrypted_suffix'),
    encryptedSuffix: text('encrypted_suffix'),
    unencryptedRegex: text('unencrypted_regex'),
    encryptedRegex: text('encrypted_regex'),
    unencryptedCommentRegex: text('unencrypted_comment_regex'),
    encryptedCommentRegex: text('encrypted_comment_regex'),
    macOnlyEncrypted: raw.mac_only_encrypted === true || raw.mac_only_encrypted === 'true',
  };
}

function masterKeys(group: Record<string, unknown>): MasterKeys {
  const list = (key: string) => (Array.isArray(group[key]) ? (group[key] as Record<string, unknown>[]) : []);
  return {
    age: list('age').map((k) => ({ recipient: String(k.recipient ?? ''), enc: String(k.enc ?? '') })),
    pgp: list('pgp').map((k) => ({ fingerprint: String(k.fp ?? ''), enc: String(k.enc ?? '') })),
    other: OTHER_KINDS.filter((kind) => list(kind).length > 0),
  };
}

/** `age__list_0__map_enc` → `{age: [{enc}]}`, as sops' flattened metadata is read back. */
function unflatten(entries: [string, TreeValue][]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [flatKey, value] of entries) {
    const tokens = flatKey.split(/(__map_|__list_)/);
    let node: Record<string, unknown> | unknown[] = root;
    let key: string | number = tokens[0];
    for (let i = 1; i < tokens.length; i += 2) {
      const next: string | number = tokens[i] === '__list_' ? Number(tokens[i + 1]) : tokens[i + 1];
      const container =
        (node as Record<string | number, unknown>)[key] ?? (typeof next === 'number' ? [] : {});
      (node as Record<string | number, unknown>)[key] = container;
      node = container as Record<string, unknown> | unknown[];
      key = next;
    }
    (node as Record<string | number, unknown>)[key] = toPlain(value);
  }
  return root;
}
