// One Flux Kustomization built into desired objects: kustomize build (generator sources
// decrypted), Secrets decrypted, post-build substitution, provenance and commonMetadata. On
// untrusted runs, decrypted values reach no object but a Secret (see untrusted.ts).
import type { DesiredObject } from '../../model.ts';
import { asksForOrigins, locateByOrigin } from '../kustomize-origin-annotations.ts';
import { collectManifests } from '../manifests.ts';
import { mergeKeys } from '../sops/keys.ts';
import { type DecryptionContext, decryptDocuments, decryptsWithSops, markUndecrypted } from './decryption.ts';
import { type GeneratorSourceOptions, withDecryptedSources } from './generators.ts';
import {
  buildFluxKustomization,
  fluxKustomization,
  type KustomizationSpec,
  splitDocuments,
  substituteDocuments,
} from './kustomization.ts';
import type { FluxRenderState } from './state.ts';
import {
  carriedByGenerators,
  compareSubstituted,
  notComparedNote,
  STAND_INS,
  standInText,
  subjectOfIdentity,
} from './untrusted.ts';
import { dataOf } from './values.ts';

/** Builds the Kustomization at `dir` as kustomize-controller would, for the group `group`. */
export async function buildKustomization(
  state: FluxRenderState,
  dir: string,
  spec: KustomizationSpec,
  group: string,
  namespace: string,
): Promise<DesiredObject[]> {
  const sops = decryptsWithSops(spec);
  const ctx = await decryptionFor(state, spec, namespace, group);
  // Indices of the documents holding decrypted values (or values made from them).
  const decrypted = new Set<number>();
  const text = await buildSources(state, dir, spec, sops ? ctx : undefined, decrypted);
  const built = sops ? await decryptDocuments(splitDocuments(text), ctx, decrypted) : splitDocuments(text);
  const { documents, notCompared } = substitutePostBuild(state, built, spec, namespace, decrypted);
  if (state.options.untrusted) recordDecrypted(state, documents, decrypted);
  const file = state.checkoutFile(dir);
  const parsed = collectManifests(documents.join('---\n'), `${file}/kustomization.yaml`, { group });
  if (parsed.problems.length > 0)
    throw new Error(parsed.problems.map((problem) => problem.message).join('; '));
  const keep = asksForOrigins(fluxKustomization(dir, spec));
  await locateByOrigin(parsed.objects, {
    buildDir: dir,
    root: state.tree,
    fileName: state.checkoutFile,
    keep,
  });
  const { objects, unidentified } = await markUndecrypted(parsed.objects, ctx, sops, group);
  for (const file of unidentified)
    if (!state.result.undecrypted.includes(file)) state.result.undecrypted.push(file);
  const { labels, annotations } = spec.commonMetadata ?? {};
  for (const desired of objects) {
    const { object } = desired;
    const why = notCompared.get(subjectOfIdentity({ ...object.metadata, kind: object.kind }));
    if (why) desired.notCompared = why;
    if (labels) object.metadata.labels = { ...object.metadata.labels, ...labels };
    if (annotations) object.metadata.annotations = { ...object.metadata.annotations, ...annotations };
  }
  return objects;
}

/** The run's keys, and those of the Secret named by `decryption.secretRef` when it may be read. */
async function decryptionFor(
  state: FluxRenderState,
  spec: KustomizationSpec,
  namespace: string,
  group: string,
): Promise<DecryptionContext> {
  const secretName = spec.decryption?.secretRef?.name;
  if (!state.clusterKeys || !secretName || !decryptsWithSops(spec)) return state.decryption;
  const keys = await state.clusterKeys.keysFor(namespace, secretName, group);
  if (keys.age.length + keys.pgp.length === 0) return state.decryption;
  // Files verified with other keys are verified again with these.
  return { ...state.decryption, keys: mergeKeys(state.decryption.keys, keys), verified: new Map() };
}

/**
 * kustomize build with generator sources decrypted. On an untrusted run, built again with
 * stand-ins for them: an object other than a Secret that changes carries decrypted data
 * (a replacement, var or transformer copied it), which is an error naming the files.
 */
async function buildSources(
  state: FluxRenderState,
  dir: string,
  spec: KustomizationSpec,
  ctx: DecryptionContext | undefined,
  decrypted: Set<number>,
): Promise<string> {
  const build = () => buildFluxKustomization(dir, spec, state.kubectl, state.confine);
  if (!ctx) return build();
  const generators: string[] = [];
  const run = (options: GeneratorSourceOptions) => withDecryptedSources(dir, ctx, build, options);
  const text = await run({ onDecrypted: (file) => generators.push(state.checkoutFile(file)) });
  if (!state.options.untrusted || generators.length === 0) return text;
  const standIns: string[][] = [];
  for (const which of STAND_INS) standIns.push(splitDocuments(await run({ standIn: which })));
  const { carried, derivedSecrets } = carriedByGenerators(splitDocuments(text), standIns);
  if (carried.length > 0) {
    const own = `${state.checkoutFile(dir)}/kustomization.yaml`;
    const others = [...new Set(generators)].filter((file) => file !== own);
    throw new Error(
      `${own}: ${carried.join(', ')} ${carried.length === 1 ? 'is' : 'are'} built with data decrypted from the secretGenerator sources of ${others.length > 0 ? others.join(', ') : 'this kustomization'}; on an untrusted run decrypted data may go only into Secrets. Copy it (replacements, vars, transformers) from a Secret that is not SOPS-encrypted, or render this on a trusted run`,
    );
  }
  for (const index of derivedSecrets) decrypted.add(index);
  return text;
}

/**
 * postBuild substitution. On an untrusted run, variables taken from decrypted Secrets are
 * substituted with stand-ins too: objects that change are shown by identity only.
 */
function substitutePostBuild(
  state: FluxRenderState,
  built: string[],
  spec: KustomizationSpec,
  namespace: string,
  decrypted: Set<number>,
): { documents: string[]; notCompared: Map<string, string> } {
  const postBuild = spec.postBuild;
  if (!postBuild) return { documents: built, notCompared: new Map() };
  const variables: Record<string, string> = {};
  const fromDecrypted = new Map<string, string>(); // variable → the decrypted Secret it came from
  for (const ref of postBuild.substituteFrom ?? []) {
    const subject = `${ref.kind}/${namespace}/${ref.name}`;
    const data = state.configData.get(subject);
    if (data === undefined) {
      if (ref.optional) continue;
      throw new Error(
        `substituteFrom ${subject} was not found among the objects rendered from the repository`,
      );
    }
    for (const [name, value] of Object.entries(data)) {
      variables[name] = value;
      if (state.decryptedData.has(subject)) fromDecrypted.set(name, subject);
      else fromDecrypted.delete(name);
    }
  }
  for (const [name, value] of Object.entries(postBuild.substitute ?? {})) {
    variables[name] = value;
    fromDecrypted.delete(name);
  }
  const substitute = (vars: Record<string, string>) =>
    substituteDocuments(
      built,
      vars,
      state.options.strictSubstitution ?? true,
      postBuild.substituteStrategy === 'Always',
    );
  const real = substitute(variables);
  if (!state.options.untrusted || fromDecrypted.size === 0)
    return { documents: real, notCompared: new Map() };
  const standIns = STAND_INS.map((which) =>
    substitute({
      ...variables,
      ...Object.fromEntries([...fromDecrypted.keys()].map((name) => [name, standInText(which)])),
    }),
  );
  const note = notComparedNote([...fromDecrypted.values()]);
  const outcome = compareSubstituted(real, standIns, note);
  for (const index of outcome.derivedSecrets) decrypted.add(index);
  for (const text of outcome.replaced.values()) keepReplacedData(state, text);
  return {
    documents: outcome.documents,
    notCompared: new Map([...outcome.notCompared].map((subject) => [subject, note])),
  };
}

/** Remembers the Secrets holding decrypted values: what reads them later is checked too. */
function recordDecrypted(state: FluxRenderState, documents: string[], decrypted: Set<number>): void {
  for (const index of decrypted) {
    const object = collectManifests(documents[index], 'kustomize output').objects[0]?.object;
    if (object?.kind === 'Secret')
      state.decryptedData.add(`Secret/${object.metadata.namespace || 'default'}/${object.metadata.name}`);
  }
}

/**
 * A ConfigMap shown by identity only is still read by later groups (substituteFrom,
 * valuesFrom) with its real data, as made from decrypted values.
 */
function keepReplacedData(state: FluxRenderState, text: string): void {
  const object = collectManifests(text, 'kustomize output').objects[0]?.object;
  if (object?.kind !== 'ConfigMap' || object.apiVersion !== 'v1') return;
  const subject = `ConfigMap/${object.metadata.namespace || 'default'}/${object.metadata.name}`;
  state.configData.set(subject, dataOf(object));
  state.decryptedData.add(subject);
}
