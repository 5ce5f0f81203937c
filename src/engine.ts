// The flow of DESIGN.md, shared by the action and the CLI:
// settings → render → plan (against the cluster) → change set → report.
import { realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { IgnoreRule } from './drift/ignore.ts';
import { loadListSemantics } from './drift/list-semantics.ts';
import { type Plan, plan } from './drift/plan.ts';
import { classifyChanges, type FailOn, failsOn } from './drift/threeway.ts';
import { InputError } from './errors.ts';
import { KubeClient, type RequestStats } from './kube/client.ts';
import { Discovery } from './kube/discovery.ts';
import { readFluxInventory } from './kube/flux-inventory.ts';
import { type HelmClusterAccess, openHelmCluster } from './kube/helm-cluster.ts';
import { loadKubeconfig } from './kube/kubeconfig.ts';
import { ClusterObjects } from './kube/objects.ts';
import type { ChangeSet, DesiredObject, KubeObject, ObjectRef, PlanError } from './model.ts';
import type { Redactor } from './redaction.ts';
import { type RemediationResult, remediate } from './remediate/index.ts';
import { claimOf, foreignOwnerMessage, readInventory } from './remediate/inventory.ts';
import { acquireLease, type HeldLease } from './remediate/lease.ts';
import { type ResolvedOwner, resolveOwner } from './remediate/owner.ts';
import type { SecretReader } from './render/flux/cluster-keys.ts';
import { isFluxPath } from './render/flux/detect.ts';
import { fluxDriftSettings } from './render/flux/drift-settings.ts';
import { renderFlux } from './render/flux/index.ts';
import { checkoutBase, gitToplevel } from './render/git-base.ts';
import { type HelmClusterView, HelmRenderContext, RenderError, render } from './render/index.ts';
import { loadSopsKeys, SopsKeyError, type SopsKeys } from './render/sops/keys.ts';
import { buildReport, type Comparison, isThreeWay, type Report } from './report/model.ts';
import type { Settings } from './settings.ts';
import { VERSION } from './version.ts';

export interface EngineHooks {
  info(message: string): void;
  warning(message: string): void;
  progress?(done: number, total: number): void;
  /** The connection's request counts, when it closes (the CLI prints them with KUBE_DRIFT_STATS=1). */
  stats?(stats: RequestStats): void;
}

export interface Connection {
  cluster: ClusterObjects;
  server: string;
  close(): void;
}

export interface DiffResult {
  desired: DesiredSet;
  plan: Plan;
  changeSet: ChangeSet;
  report: Report;
  connection: Connection;
  redactor: Redactor;
  /** Who this run applies for: recorded in the target's inventory. */
  owner: ResolvedOwner;
  /** Releases the Lease (when this run took it) and closes the connection. */
  close(): Promise<void>;
}

/**
 * Exit status as `kubectl diff`: 0 in sync, 1 drift, 2 error. In a three-way preview,
 * `failOn` narrows what counts: only the PR's own changes, or only drift already there.
 * A live report cannot tell whose a change is, so there every drift fails: a check that
 * cannot tell must not pass.
 */
export function exitStatus(report: Report, failOn: FailOn = 'any'): 0 | 1 | 2 {
  if (report.summary.errors > 0) return 2;
  if (!report.driftDetected) return 0;
  if (failOn === 'any' || !isThreeWay(report)) return 1;
  return failsOn(report.entries, failOn) ? 1 : 0;
}

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
  /** Notes for the report, once per group (a Helm release whose Secret lookups were hidden). */
  groupNotes: Map<string, string>;
  /** For the log: what rendering could not do as asked (lookup refused, no cluster to render with). */
  warnings: string[];
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
  options: { confineTo?: string; helmCluster?: HelmClusterView; readSecret?: SecretReader } = {},
): Promise<DesiredSet> {
  const helmContext = new HelmRenderContext(options.helmCluster);
  const desired = await renderSources(
    settings,
    (secret) => redactor.addSecretObject(secret),
    options.confineTo,
    helmContext,
    options.readSecret,
  );
  for (const { object } of desired.objects) redactor.addSecretObject(object);
  // Decryption keys: masked wherever they would show up, line by line.
  for (const value of desired.secretValues ?? []) redactor.addValue(value);
  desired.groupNotes = helmContext.notes;
  desired.warnings = [...helmContext.warnings];
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
        .filter((g) => g.kind === 'Kustomization' && g.namespace !== '' && g.prune && !g.suspended)
        .filter((g) => !flux.errors.some((e) => e.group === g.name))
        .map((g) => {
          const [namespace, name] = g.name.slice('Kustomization '.length).split('/');
          return { namespace, name };
        }),
    };
  }
  const objects = await render({
    repoRoot: settings.repoRoot,
    paths: settings.paths,
    source: settings.source,
    helm: settings.helm,
    confineTo,
    helmContext,
  });
  return { ...notes, objects, errors: [], skippedGroups: new Map(), ignoreRules: [] };
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

export async function connect(settings: Settings, hooks: EngineHooks): Promise<Connection> {
  const kubeconfig = loadKubeconfig(settings.kubeconfig);
  const client = new KubeClient(kubeconfig.config, kubeconfig.server, {
    // Reads and dry-runs share the pool; a little headroom over the dry-run concurrency
    // keeps list calls from queueing behind dry-runs.
    concurrency: settings.concurrency + 4,
    onRetry: (reason, delay) => hooks.info(`retrying in ${Math.round(delay)} ms: ${reason}`),
  });
  try {
    const discovery = await Discovery.load(client);
    return {
      cluster: new ClusterObjects(client, discovery),
      server: kubeconfig.server,
      close: () => {
        client.close();
        hooks.stats?.(client.stats);
      },
    };
  } catch (error) {
    client.close();
    throw error;
  }
}

/**
 * Renders, connects and plans; the caller ends with `close()`. A run that will apply
 * (`forApply`) takes the target's Lease before planning, so that the plan it applies is made
 * against the cluster as the run before it left it, never a stale one.
 */
export async function diff(
  settings: Settings,
  hooks: EngineHooks,
  redactor: Redactor,
  options: { forApply?: boolean } = {},
): Promise<DiffResult> {
  if (options.forApply && !settings.trusted)
    // Charts would generate what they could not look up: applying that replaces the cluster's
    // Secrets (a new random password for every release that keeps one through lookup).
    throw new InputError(
      'apply is refused on an untrusted run: Helm lookups of Secrets answer "not found" there',
      {
        hint: 'Apply from a trusted run (push or schedule on the default branch) with trusted: auto.',
      },
    );
  for (const credential of settings.chartCredentials) redactor.add(credential.password);
  // Connected first: Helm renders with the cluster's capabilities and lookup, as helm-controller does.
  const connection = await connect(settings, hooks);
  let lease: HeldLease | undefined;
  let helmCluster: HelmClusterAccess | undefined;
  const close = async () => {
    await helmCluster?.close();
    await lease?.release();
    connection.close();
  };
  try {
    helmCluster = helmClusterFor(connection, settings, redactor);
    const desired = await renderDesired(settings, redactor, {
      helmCluster,
      readSecret: (namespace, name) =>
        connection.cluster.get({ group: '', version: 'v1', kind: 'Secret', namespace, name }),
    });
    for (const warning of desired.warnings) hooks.warning(warning);
    for (const file of desired.undecrypted ?? [])
      hooks.warning(
        `${file} is encrypted whole (kind and name too) and no SOPS key given opens it: not compared`,
      );
    hooks.info(`rendered ${desired.objects.length} objects from ${settings.paths.join(', ')}`);
    const r = settings.remediation;
    const owner = await resolveOwner(settings.owner, settings.repoRoot);
    const inventory = await readInventory(connection.cluster, settings.target, r.inventoryNamespace);
    const claim = claimOf(inventory, owner.owner);
    // Another owner's target: remediation refuses it, so this run takes no Lease and writes nothing.
    if (options.forApply && !r.dryRun && !r.suspend && claim.kind !== 'foreign') {
      lease = await acquireLease(connection.cluster, {
        target: settings.target,
        namespace: r.inventoryNamespace,
        fieldManager: settings.fieldManager,
        waitSeconds: r.timeoutSeconds,
        onWarning: hooks.warning,
        onWait: hooks.info,
      });
    }
    if (claim.kind === 'foreign')
      hooks.warning(foreignOwnerMessage(settings.target, claim.owner, owner.owner));
    const result = await planAgainst(desired, connection, settings, hooks, redactor, {
      // Prune never crosses owners: another owner's entries are never listed deleted.
      inventory: claim.kind === 'foreign' ? [] : inventory.entries,
      note:
        claim.kind === 'foreign' && !options.forApply
          ? `target ${settings.target} belongs to ${claim.owner}, not to ${owner.owner}: what it applied is not listed as deleted, and remediation from here is refused`
          : undefined,
    });
    const { changeSet, comparison } = await threeWayChangeSet(settings, result, hooks, redactor, helmCluster);
    await helmCluster?.close();
    helmCluster = undefined;
    noteGroups(changeSet, desired.groupNotes);
    const report = buildReport(changeSet, {
      target: settings.target,
      mode: 'diff',
      generatedAt: new Date().toISOString(),
      kubeDriftVersion: VERSION,
      cluster: connection.server,
      comparison,
    });
    return { desired, plan: result, changeSet, report, connection, redactor, owner, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The cluster as Helm may see it; every Secret a chart's lookup reads is a Secret value. */
function helmClusterFor(connection: Connection, settings: Settings, redactor: Redactor): HelmClusterAccess {
  return openHelmCluster(connection.cluster.client, connection.cluster.discovery, {
    hideSecrets: !settings.trusted,
    onSecret: (secret) => redactor.addSecretObject(secret as KubeObject),
  });
}

/**
 * A group's note goes into the report once: on the group's drifted Secrets (the objects a
 * hidden lookup changes), else on its first drifted object, else on its first object.
 */
export function noteGroups(changeSet: ChangeSet, notes: Map<string, string>): void {
  for (const [group, note] of notes) {
    const entries = changeSet.entries.filter((entry) => entry.group === group);
    const drifted = entries.filter((entry) => entry.action !== 'unchanged' && entry.action !== 'skipped');
    const secrets = drifted.filter((entry) => entry.ref.kind === 'Secret' && entry.ref.group === '');
    const chosen =
      secrets.length > 0 ? secrets : drifted.length > 0 ? drifted.slice(0, 1) : entries.slice(0, 1);
    for (const entry of chosen) entry.note = entry.note ? `${entry.note}; ${note}` : note;
  }
}

/** Plans the desired set against the cluster as it is now. */
async function planAgainst(
  desired: DesiredSet,
  connection: Connection,
  settings: Settings,
  hooks: EngineHooks,
  redactor: Redactor,
  own: { inventory: ObjectRef[]; note?: string },
): Promise<Plan> {
  const fluxInventory = desired.fluxKustomizations
    ? await readFluxInventory(connection.cluster, desired.fluxKustomizations)
    : undefined;
  const result = await plan(desired.objects, connection.cluster, {
    target: settings.target,
    defaultNamespace: settings.namespace,
    fieldManager: settings.fieldManager,
    takeoverManagers: settings.takeoverManagers,
    concurrency: settings.concurrency,
    ignoreRules: [...settings.ignoreRules, ...desired.ignoreRules],
    groupIgnoreRules: desired.groupIgnoreRules,
    skippedGroups: desired.skippedGroups,
    reportOnlyGroups: desired.reportOnlyGroups,
    inputErrors: desired.errors,
    redactor,
    diffMode: settings.diffMode,
    onProgress: hooks.progress,
    onWarning: hooks.warning,
    inventory: own.inventory,
    fluxInventory,
    undecrypted: desired.undecrypted,
    listSemantics: loadListSemantics(
      connection.cluster.client,
      desired.objects.map((d) => d.object),
      hooks.warning,
    ),
  });
  if (own.note) result.changeSet.notes = [...(result.changeSet.notes ?? []), own.note];
  return result;
}

/**
 * The plan's change set, classed by whose change each field is when there is a base commit
 * to compare with (the PR's base, or --base): see src/drift/threeway.ts.
 */
async function threeWayChangeSet(
  settings: Settings,
  result: Plan,
  hooks: EngineHooks,
  redactor: Redactor,
  helmCluster: HelmClusterView | undefined,
): Promise<{ changeSet: ChangeSet; comparison: Comparison }> {
  const live = { changeSet: result.changeSet, comparison: { kind: 'live' } as const };
  if (settings.threeWay === 'off' || !settings.base) return live;
  const toplevel = await gitToplevel(settings.repoRoot);
  const checkout = await checkoutBase(toplevel, settings.base);
  try {
    const baseRoot = join(checkout.dir, relative(toplevel, await realpath(settings.repoRoot)));
    let base: DesiredSet;
    try {
      base = await renderDesired({ ...settings, repoRoot: baseRoot }, redactor, {
        confineTo: checkout.dir,
        helmCluster,
      });
    } catch (error) {
      // The PR may be the fix for manifests that did not render: preview it as a plain diff.
      if (!(error instanceof RenderError)) throw error;
      hooks.warning(
        `three-way preview skipped: the manifests at the base ${settings.base} do not render (${error.message})`,
      );
      return live;
    }
    hooks.info(`three-way preview: rendered ${base.objects.length} objects at the base ${settings.base}`);
    return {
      changeSet: classifyChanges(result, base.objects, { defaultNamespace: settings.namespace }),
      comparison: { kind: 'three-way', base: checkout.sha },
    };
  } finally {
    await checkout.cleanup();
  }
}

export interface ConvergeResult {
  remediation: RemediationResult;
  report: Report;
  exitStatus: 0 | 1 | 2;
}

/**
 * Applies the plan (remediation), then reports what was done. The plan must come from
 * `diff(…, { forApply: true })`, which holds the target's Lease until `close()`.
 */
export async function converge(
  result: DiffResult,
  settings: Settings,
  hooks: EngineHooks,
): Promise<ConvergeResult> {
  const r = settings.remediation;
  const remediation = await remediate(
    result.plan,
    result.connection.cluster,
    {
      target: settings.target,
      fieldManager: settings.fieldManager,
      takeoverManagers: settings.takeoverManagers,
      concurrency: settings.concurrency,
      prune: r.prune,
      wait: r.wait,
      timeoutSeconds: r.timeoutSeconds,
      force: r.force,
      dryRun: r.dryRun,
      maxDeletions: r.maxDeletions,
      inventoryNamespace: r.inventoryNamespace,
      suspend: r.suspend,
      skipUnhealthy: r.skipUnhealthy,
      redactor: result.redactor,
      owner: result.owner.owner,
      paths: settings.paths,
    },
    hooks,
  );
  const report = buildReport(remediation.changeSet, {
    target: settings.target,
    mode: 'apply',
    generatedAt: new Date().toISOString(),
    kubeDriftVersion: VERSION,
    cluster: result.connection.server,
  });
  const exitStatus =
    report.summary.errors > 0 ? 2 : remediation.unhealthy.length > 0 || remediation.driftRemaining ? 1 : 0;
  return { remediation, report, exitStatus };
}
