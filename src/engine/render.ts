// Rendering the desired set: the paths through their renderer (plain, Kustomize, Helm, Flux, Argo CD),
// with every Secret seen registered with the run's Redactor before anything is printed.
import { join } from 'node:path';
import type { IgnoreRule } from '../drift/ignore.ts';
import { InputError } from '../errors.ts';
import type { TrackedApplication } from '../kube/argocd-tracked.ts';
import { type DesiredObject, type KubeObject, type PlanError, refOf } from '../model.ts';
import type { Redactor } from '../redaction.ts';
import { isArgoPath } from '../render/argocd/detect.ts';
import { argoDriftSettings } from '../render/argocd/drift-settings.ts';
import { renderArgo } from '../render/argocd/index.ts';
import { argoRepos } from '../render/argocd/repos.ts';
import type { SecretReader } from '../render/flux/cluster-keys.ts';
import { isFluxPath } from '../render/flux/detect.ts';
import { fluxDriftSettings } from '../render/flux/drift-settings.ts';
import { renderFlux } from '../render/flux/index.ts';
import { skippedFilesNotice } from '../render/foreign.ts';
import { type HelmClusterView, HelmRenderContext, render } from '../render/index.ts';
import { loadSopsKeys, SopsKeyError, type SopsKeys } from '../render/sops/keys.ts';
import type { Settings } from '../settings.ts';

/** What Git says should exist, plus problems confined to one group (a Flux release whose chart cannot be fetched). */
export interface DesiredSet {
  objects: DesiredObject[];
  errors: PlanError[];
  /** Groups whose objects are reported skipped: group name → why. */
  skippedGroups: Map<string, string>;
  /** Groups whose drift is reported and never corrected by apply: group name → why. */
  reportOnlyGroups?: Map<string, string>;
  /** Ignore rules that come with the sources for all their objects. */
  ignoreRules: IgnoreRule[];
  /** Key material read while rendering (SOPS keys): registered with the redactor. */
  secretValues?: string[];
  /** Files of objects encrypted whole that no SOPS key given opens: which Secrets they are is unknown. */
  undecrypted?: string[];
  /** Ignore rules of one group's objects (Flux Kustomization `spec.ignore`, HelmRelease `spec.driftDetection.ignore`). */
  groupIgnoreRules?: Map<string, IgnoreRule[]>;
  /** Flux sources: the Kustomizations whose `.status.inventory` says what Flux would prune (prune on, not suspended, rendered). */
  fluxKustomizations?: { namespace: string; name: string }[];
  /** Argo CD sources: the Applications whose tracked resources (`.status.resources`) say what Argo CD would prune. */
  argoApplications?: TrackedApplication[];
  /** Notes for the report, once per group (a Helm release whose Secret lookups were hidden). */
  groupNotes: Map<string, string>;
  /** For the log: what rendering could not do as asked (lookup refused, no cluster to render with). */
  warnings: string[];
  /** For the report: remarks on the rendering as a whole (files skipped as not manifests). */
  runNotes?: string[];
}

/**
 * Renders the paths, and registers every Secret the rendering saw with the redactor before
 * anything is printed: values from Git reach outputs only masked, wherever they show up.
 * `confineTo`: the directory nothing may be read outside of (default: the Git work tree
 * holding repoRoot). Helm charts render against `helmCluster` (capabilities, lookup) when
 * given; without it (the render command), as `helm template` does offline, with a warning.
 */
export async function renderDesired(
  settings: Settings,
  redactor: Redactor,
  options: {
    confineTo?: string;
    helmCluster?: HelmClusterView;
    readSecret?: SecretReader;
    /** The checkout whose Git remotes are the repository when repoRoot is a base commit's files (Argo CD sources). */
    remotesOf?: string;
  } = {},
): Promise<DesiredSet> {
  const helmContext = new HelmRenderContext(options.helmCluster);
  const desired = await renderSources(
    settings,
    (secret) => redactor.addSecretObject(secret),
    options.confineTo,
    helmContext,
    options.readSecret,
    { of: options.remotesOf, root: options.remotesOf ? options.confineTo : undefined },
  );
  for (const { object } of desired.objects) redactor.addSecretObject(object);
  // Decryption keys: masked wherever they would show up, line by line.
  for (const value of desired.secretValues ?? []) redactor.addValue(value);
  desired.groupNotes = helmContext.notes;
  desired.warnings = [...helmContext.warnings, ...(desired.runNotes ?? [])];
  const offline = helmContext.offlineWarning();
  if (offline) desired.warnings.push(offline);
  return desired;
}

async function renderSources(
  settings: Settings,
  onSecret: (secret: KubeObject) => void,
  confineTo: string | undefined,
  helmContext: HelmRenderContext,
  readSecret?: SecretReader,
  remotes: { of?: string; root?: string } = {},
): Promise<DesiredSet> {
  const notes = { groupNotes: new Map<string, string>(), warnings: [] };
  // source auto: paths that hold Flux Kustomization objects are Flux cluster paths.
  if (
    settings.source === 'flux' ||
    (settings.source === 'auto' && settings.paths.every((path) => isFluxPath(join(settings.repoRoot, path))))
  ) {
    const keys = await sopsKeys(settings);
    if (settings.sops.fromCluster && !settings.trusted)
      helmContext.warn('sops-keys-from-cluster is ignored on an untrusted run: no decryption Secret is read');
    const flux = await renderFlux({
      untrusted: !settings.trusted,
      readDecryptionSecret: settings.sops.fromCluster && settings.trusted ? readSecret : undefined,
      repoRoot: settings.repoRoot,
      paths: settings.paths,
      onSecret,
      sopsKeys: keys,
      helmContext,
      chartCredentials: settings.chartCredentials,
    });
    const { skippedGroups, reportOnlyGroups, groupIgnoreRules, errors } = fluxDriftSettings(flux.groups);
    return {
      ...notes,
      objects: flux.objects,
      errors: [
        ...flux.errors.map((e) => ({ message: `${e.group}: ${e.message}`, object: e.group })),
        ...errors,
      ],
      skippedGroups,
      reportOnlyGroups,
      ignoreRules: [],
      groupIgnoreRules,
      undecrypted: flux.undecrypted,
      secretValues: keys.secrets,
      fluxKustomizations: flux.groups
        .filter((g) => g.kind === 'Kustomization' && g.prune && !g.suspended)
        .filter((g) => !flux.errors.some((e) => e.group === g.name))
        .flatMap((g) => (g.objectName ? [{ namespace: g.namespace, name: g.objectName }] : [])),
    };
  }
  if (
    settings.source === 'argocd' ||
    (settings.source === 'auto' && settings.paths.every((path) => isArgoPath(join(settings.repoRoot, path))))
  )
    return { ...notes, ...(await renderArgoSources(settings, helmContext, remotes)) };
  const runNotes: string[] = [];
  const objects = await render({
    repoRoot: settings.repoRoot,
    paths: settings.paths,
    source: settings.source,
    helm: settings.helm,
    confineTo,
    helmContext,
    strict: settings.strict,
    onSkippedFiles: (files) => runNotes.push(skippedFilesNotice(files)),
  });
  return { ...notes, objects, errors: [], skippedGroups: new Map(), ignoreRules: [], runNotes };
}

/** Argo CD sources: Applications rendered, each one's objects a group with its own rules. */
async function renderArgoSources(
  settings: Settings,
  helmContext: HelmRenderContext,
  remotes: { of?: string; root?: string },
): Promise<Omit<DesiredSet, 'groupNotes' | 'warnings'>> {
  const argo = await renderArgo({
    repoRoot: settings.repoRoot,
    paths: settings.paths,
    repos: argoRepos(settings.repoRoot, settings.argocd.repos, remotes),
    clusters: settings.argocd.clusters,
    namespace: settings.namespace,
    helm: settings.helm,
    helmContext,
    chartCredentials: settings.chartCredentials,
    clone: remotes.of && remotes.root ? { of: remotes.of, root: remotes.root } : undefined,
  });
  const drift = argoDriftSettings(argo.groups, settings.argocd.remediate);
  const failed = new Set(argo.errors.map((e) => e.group));
  return {
    objects: argo.objects,
    errors: [
      ...argo.errors.map((e) => ({ message: `${e.group}: ${e.message}`, object: e.group })),
      ...drift.errors,
    ],
    skippedGroups: new Map(),
    reportOnlyGroups: drift.reportOnlyGroups,
    groupIgnoreRules: drift.groupIgnoreRules,
    ignoreRules: [],
    runNotes: [...argo.notes, ...drift.notes],
    argoApplications: argo.groups
      .filter((g) => !g.skipped && !failed.has(g.name))
      .map((g) => ({
        namespace: g.namespace,
        name: g.objectName,
        kinds: kindsOf(argo.objects, g.name, settings.namespace),
      })),
  };
}

/** The kinds a group's objects are, in each namespace they are in: where Argo CD's tracking annotation is looked for. */
function kindsOf(objects: DesiredObject[], group: string, namespace: string): TrackedApplication['kinds'] {
  const kinds = new Map<string, { group: string; kind: string; namespace: string | null }>();
  for (const d of objects) {
    if (d.group !== group) continue;
    const ref = refOf(d.object);
    const key = `${ref.group}/${ref.kind}/${ref.namespace ?? namespace}`;
    kinds.set(key, { group: ref.group, kind: ref.kind, namespace: ref.namespace ?? namespace });
  }
  return [...kinds.values()];
}

/** The SOPS keys of the settings, parsed; a malformed key is an input error naming the setting. */
async function sopsKeys(settings: Settings): Promise<SopsKeys> {
  try {
    return await loadSopsKeys(settings.sops);
  } catch (error) {
    if (error instanceof SopsKeyError) throw new InputError(error.message);
    throw error;
  }
}
