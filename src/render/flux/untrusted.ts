// On untrusted runs, keeps what SOPS decrypts out of every object that is not a Secret. Masking
// catches a value only as it is, not cut or upper-cased, so the content is rendered again with
// stand-ins: an object that changes with them is made from decrypted data.
import { parse as parseYaml, stringify } from 'yaml';
import type { DesiredObject } from '../../model.ts';
import type { SopsFormat } from '../sops/tree.ts';

/** Which of the two stand-ins. */
export type StandIn = 0 | 1;
export const STAND_INS: readonly StandIn[] = [0, 1];

// Two stand-ins that share no character and differ in length: whatever part of a value an
// object takes (a prefix, its upper case, its length), the two renderings differ.
const TEXT = ['q'.repeat(16), 'z'.repeat(17)] as const;
const NUMBER = [1_111_111, 22_222_222] as const;

export const notComparedNote = (secrets: readonly string[]) =>
  `uses values decrypted from ${[...new Set(secrets)].join(', ')}: not compared on an untrusted run`;

/** The stand-in for a value used as text (a post-build variable). */
export const standInText = (which: StandIn): string => TEXT[which];

/** A decrypted value as a stand-in: a YAML map or list keeps its shape, every leaf replaced. */
export function standInValue(text: string, which: StandIn): string {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch {
    return TEXT[which];
  }
  return parsed !== null && typeof parsed === 'object' ? stringify(standInTree(parsed, which)) : TEXT[which];
}

function standInTree(value: unknown, which: StandIn): unknown {
  if (Array.isArray(value)) return value.map((item) => standInTree(item, which));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, standInTree(v, which)]));
  if (typeof value === 'number') return NUMBER[which];
  if (typeof value === 'boolean') return which === 0;
  return value === null ? null : TEXT[which];
}

/** The data of a decrypted Secret with every value a stand-in (keys kept). */
export function standInData(data: Record<string, string>, which: StandIn): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, standInValue(value, which)]));
}

/** A decrypted generator source as a stand-in: a dotenv file keeps its keys, any other file is replaced whole. */
export function standInFile(plaintext: Buffer, format: SopsFormat, which: StandIn): Buffer {
  if (format !== 'dotenv') return Buffer.from(TEXT[which]);
  const lines = plaintext.toString('utf8').split('\n');
  return Buffer.from(
    lines
      .map((line) => {
        const key = /^(\s*[^#=\s][^=]*)=/.exec(line);
        return key ? `${key[1]}=${TEXT[which]}` : line;
      })
      .join('\n'),
  );
}

interface Identity {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  origin?: string;
}

function identityOf(object: unknown): Identity | undefined {
  if (object === null || typeof object !== 'object') return undefined;
  const o = object as { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown> };
  const annotations = o.metadata?.annotations as Record<string, string> | undefined;
  return {
    apiVersion: String(o.apiVersion),
    kind: String(o.kind),
    name: String(o.metadata?.name),
    namespace: typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : undefined,
    origin: annotations?.['config.kubernetes.io/origin'],
  };
}

const parseDocument = (text: string): unknown => {
  try {
    return parseYaml(text);
  } catch {
    return undefined;
  }
};
const key = (id: Identity) => `${id.apiVersion}|${id.kind}|${id.namespace ?? ''}|${id.name}`;
export const subjectOfIdentity = (id: Pick<Identity, 'kind' | 'namespace' | 'name'>) =>
  [id.kind, id.namespace, id.name].filter(Boolean).join('/');
const isSecret = (id: Identity) => id.kind === 'Secret' && id.apiVersion === 'v1';
const isFlux = (id: Identity) => id.apiVersion.split('/')[0].endsWith('toolkit.fluxcd.io');

/** Only the identity (and the origin, for provenance): nothing of the content is shown. */
function stub(id: Identity): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: id.name };
  if (id.namespace !== undefined) metadata.namespace = id.namespace;
  if (id.origin) metadata.annotations = { 'config.kubernetes.io/origin': id.origin };
  return { apiVersion: id.apiVersion, kind: id.kind, metadata };
}

export interface SubstitutionOutcome {
  documents: string[];
  /** Identities (`Kind/ns/name`) of the objects replaced by stand-ins. */
  notCompared: Set<string>;
  /** Indices of the Secrets whose values came from decrypted variables. */
  derivedSecrets: number[];
  /** The real text of each document replaced by a stand-in, by index (for what later groups read). */
  replaced: Map<number, string>;
}

/**
 * Post-build substitution done with the real values and with each stand-in: a document that
 * differs is a Secret (kept, its values are masked), or any other object (replaced by its
 * identity, marked not compared). An object named from decrypted values, or a Flux object
 * whose spec takes them, cannot be shown at all: an error naming it.
 */
export function compareSubstituted(real: string[], standIns: string[][], note: string): SubstitutionOutcome {
  const outcome: SubstitutionOutcome = {
    documents: [...real],
    notCompared: new Set(),
    derivedSecrets: [],
    replaced: new Map(),
  };
  real.forEach((text, index) => {
    const variants = standIns.map((documents) => documents[index]);
    if (variants.every((variant) => variant === text)) return;
    const ids = [text, ...variants].map((doc) => identityOf(parseDocument(doc)));
    const id = ids[0];
    if (!id || ids.some((other) => !other || key(other) !== key(id)))
      throw new Error(`an object's kind, name or namespace is made from values decrypted with SOPS: ${note}`);
    if (isSecret(id)) outcome.derivedSecrets.push(index);
    else if (isFlux(id))
      throw new Error(
        `${subjectOfIdentity(id)} ${note}: what it renders cannot be shown; render it on a trusted run`,
      );
    else {
      outcome.documents[index] = `${JSON.stringify(stub(id))}\n`;
      outcome.replaced.set(index, text);
      outcome.notCompared.add(subjectOfIdentity(id));
    }
  });
  return outcome;
}

/** kustomize appends a hash of a generated object's content to its name: the same object under each stand-in. */
const GENERATED_HASH = /-[a-z0-9]{10}$/;

/**
 * Builds of one Kustomization with its generator sources decrypted and with stand-ins: the
 * objects other than Secrets that differ carry decrypted data. Returns their subjects and
 * the indices of the real build's Secrets that differ (made from decrypted sources).
 */
export function carriedByGenerators(
  real: string[],
  standIns: string[][],
): { carried: string[]; derivedSecrets: number[] } {
  const parsed = (documents: string[]) =>
    documents.map((text) => ({ text, id: identityOf(parseDocument(text)) }));
  const realDocs = parsed(real);
  const secretName = (id: Identity) => `${id.namespace ?? ''}/${id.name.replace(GENERATED_HASH, '')}`;
  const realSecrets = new Map(
    realDocs.filter((d) => d.id && isSecret(d.id)).map((d) => [secretName(d.id!), d] as const),
  );
  const carried = new Set<string>();
  const derived = new Set<number>();
  for (const documents of standIns) {
    // A generated Secret's name changes with its content: use the real name before comparing.
    let docs = parsed(documents);
    const renames: [string, string][] = [];
    for (const d of docs) {
      const match = d.id && isSecret(d.id) ? realSecrets.get(secretName(d.id)) : undefined;
      if (match && d.id!.name !== match.id!.name) renames.push([d.id!.name, match.id!.name]);
    }
    docs = parsed(
      documents.map((text) => renames.reduce((out, [from, to]) => out.replaceAll(from, to), text)),
    );
    const byKey = new Map(docs.filter((d) => d.id).map((d) => [key(d.id!), d.text] as const));
    realDocs.forEach((d, index) => {
      if (!d.id || byKey.get(key(d.id)) === d.text) return;
      if (isSecret(d.id)) derived.add(index);
      else carried.add(subjectOfIdentity(d.id));
    });
    for (const d of docs)
      if (d.id && !isSecret(d.id) && !realDocs.some((r) => r.id && key(r.id) === key(d.id!)))
        carried.add(subjectOfIdentity(d.id));
  }
  return { carried: [...carried], derivedSecrets: [...derived] };
}

/**
 * A HelmRelease rendered with the real values and with each stand-in for the values of
 * decrypted Secrets: Secrets are kept, other objects that differ become identity stand-ins.
 * Objects that exist under only some of the values are named from them: an error.
 */
export function compareReleaseRenders(
  real: DesiredObject[],
  standIns: DesiredObject[][],
  note: string,
): DesiredObject[] {
  const byKey = (objects: DesiredObject[]) =>
    new Map(objects.map((d) => [key(identityOf(d.object)!), JSON.stringify(d.object)] as const));
  const variants = standIns.map(byKey);
  const realKeys = new Set(real.map((d) => key(identityOf(d.object)!)));
  if (variants.some((v) => v.size !== realKeys.size || [...v.keys()].some((k) => !realKeys.has(k))))
    throw new Error(`the chart names objects after values decrypted with SOPS: ${note}`);
  return real.map((desired) => {
    const id = identityOf(desired.object)!;
    const text = JSON.stringify(desired.object);
    if (isSecret(id) || variants.every((v) => v.get(key(id)) === text)) return desired;
    return { ...desired, object: stub(id) as DesiredObject['object'], notCompared: note };
  });
}
