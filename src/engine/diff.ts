// The diff half of the flow: render, connect, read the target's claim, take the Lease when the
// run will apply, plan against the cluster, class changes three-way, and build the report.
import { realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadListSemantics } from '../drift/list-semantics.ts';
import { readAheadOwned } from '../drift/live.ts';
import { type Plan, plan } from '../drift/plan.ts';
import { classifyChanges } from '../drift/threeway.ts';
import { InputError } from '../errors.ts';
import { readArgoTracked } from '../kube/argocd-tracked.ts';
import { readFluxInventory } from '../kube/flux-inventory.ts';
import { type HelmClusterAccess, openHelmCluster } from '../kube/helm-cluster.ts';
import { readAheadOpenApi } from '../kube/openapi.ts';
import type { ChangeSet, KubeObject, ObjectRef } from '../model.ts';
import type { Redactor } from '../redaction.ts';
import { type Inventory, readInventory } from '../remediate/inventory.ts';
import { acquireLease, type HeldLease } from '../remediate/lease.ts';
import { claimOf, foreignOwnerMessage, type ResolvedOwner, resolveOwner } from '../remediate/owner.ts';
import { checkoutBase, gitToplevel } from '../render/git-base.ts';
import { type HelmClusterView, RenderError } from '../render/index.ts';
import { buildReport, type Comparison, type Report } from '../report/model.ts';
import { consumerReadsAhead, RiskReader, reviewRisks, riskClusterOf } from '../risk/index.ts';
import type { Settings } from '../settings.ts';
import { VERSION } from '../version.ts';
import { type Connection, connect } from './connect.ts';
import type { EngineHooks } from './hooks.ts';
import { type DesiredSet, renderDesired } from './render.ts';

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
  // Reads the plan makes anyway start now, beside rendering. Not for a run that applies: it
  // reads the target after it holds the target's Lease.
  const early = options.forApply ? undefined : readAheadTarget(connection, settings);
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
    const target = await claimTarget(connection, settings, hooks, options.forApply === true, early);
    lease = target.lease;
    // The risk review's reads of a namespace start as soon as a ConfigMap or Secret there goes
    // to its dry-run, while the plan waits on the server.
    const riskReader = settings.risk.review ? new RiskReader(riskClusterOf(connection.cluster)) : undefined;
    const onDryRun = riskReader && consumerReadsAhead(riskReader);
    const result = await planAgainst(desired, connection, settings, hooks, redactor, target, onDryRun);
    // A read ahead the plan did not take (a kind Git names in another version now) is never
    // taken later instead of a fresh read.
    connection.cluster.client.forgetReadAheads();
    const { changeSet, comparison } = await threeWayChangeSet(settings, result, hooks, redactor, helmCluster);
    if (settings.risk.review)
      changeSet.risks = await reviewPlan(
        settings,
        result,
        changeSet,
        comparison,
        connection,
        hooks,
        riskReader,
      );
    await helmCluster?.close();
    helmCluster = undefined;
    noteGroups(changeSet, desired.groupNotes);
    if (desired.runNotes?.length) changeSet.notes = [...(changeSet.notes ?? []), ...desired.runNotes];
    const report = buildReport(changeSet, {
      target: settings.target,
      mode: 'diff',
      generatedAt: new Date().toISOString(),
      kubeDriftVersion: VERSION,
      cluster: connection.server,
      comparison,
    });
    return { desired, plan: result, changeSet, report, connection, redactor, owner: target.owner, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The risk review of the plan (src/risk/), against the live cluster. */
function reviewPlan(
  settings: Settings,
  result: Plan,
  changeSet: ChangeSet,
  comparison: Comparison,
  connection: Connection,
  hooks: EngineHooks,
  reader?: RiskReader,
) {
  const r = settings.remediation;
  return reviewRisks({
    reader,
    plan: result,
    changeSet,
    threeWay: comparison.kind === 'three-way',
    settings: {
      target: settings.target,
      prune: r.prune,
      maxDeletions: r.maxDeletions,
      force: r.force,
      accepted: settings.risk.accepted,
    },
    cluster: riskClusterOf(connection.cluster),
    onWarning: hooks.warning,
  });
}

/** What the plan is told of the target's ownership, and the Lease when this run takes one. */
interface TargetClaim {
  owner: ResolvedOwner;
  /** The inventory's entries the plan may list as deleted: none of another owner's. */
  inventory: ObjectRef[];
  note?: string;
  lease?: HeldLease;
}

/**
 * Who owns the target, by its inventory. Another owner's target: remediation refuses it, so
 * this run takes no Lease, and prune never crosses owners (their entries are not listed deleted).
 */
async function claimTarget(
  connection: Connection,
  settings: Settings,
  hooks: EngineHooks,
  forApply: boolean,
  early?: TargetReads,
): Promise<TargetClaim> {
  const r = settings.remediation;
  const { owner, inventory } = await (early ?? readTarget(connection, settings)).both;
  const claim = claimOf(inventory, owner.owner);
  if (claim.kind === 'foreign') {
    hooks.warning(foreignOwnerMessage(settings.target, claim.owner, owner.owner));
    const note = forApply
      ? undefined
      : `target ${settings.target} belongs to ${claim.owner}, not to ${owner.owner}: what it applied is not listed as deleted, and remediation from here is refused`;
    return { owner, inventory: [], note };
  }
  if (!forApply || r.dryRun || r.suspend) return { owner, inventory: inventory.entries };
  const lease = await acquireLease(connection.cluster, {
    target: settings.target,
    namespace: r.inventoryNamespace,
    fieldManager: settings.fieldManager,
    waitSeconds: r.timeoutSeconds,
    onWarning: hooks.warning,
    onWait: hooks.info,
  });
  return { owner, inventory: inventory.entries, lease };
}

interface TargetReads {
  both: Promise<{ owner: ResolvedOwner; inventory: Inventory }>;
}

function readTarget(connection: Connection, settings: Settings): TargetReads {
  return {
    both: Promise.all([
      resolveOwner(settings.owner, settings.repoRoot),
      readInventory(connection.cluster, settings.target, settings.remediation.inventoryNamespace),
    ]).then(([owner, inventory]) => ({ owner, inventory })),
  };
}

/**
 * The target's owner and inventory, read while the run renders, and then the reads they lead
 * to: the owner-label lists of the kinds the inventory records and their OpenAPI schemas,
 * which the plan takes (KubeClient.readAhead) when Git names the same kinds, as it does
 * between two applies. Another owner's target gets none of these: its kinds are not listed.
 */
function readAheadTarget(connection: Connection, settings: Settings): TargetReads {
  const reads = readTarget(connection, settings);
  reads.both.then(
    ({ owner, inventory }) => {
      if (claimOf(inventory, owner.owner).kind === 'foreign') return;
      readAheadOwned(inventory.entries, connection.cluster, settings.target);
      void readAheadOpenApi(
        connection.cluster.client,
        new Set(inventory.entries.map((ref) => (ref.group ? `${ref.group}/${ref.version}` : ref.version))),
      );
    },
    () => {
      // claimTarget awaits the same reads, and reports what went wrong.
    },
  );
  return reads;
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
  onDryRun?: (ref: ObjectRef) => void,
): Promise<Plan> {
  const fluxInventory = desired.fluxKustomizations
    ? await readFluxInventory(connection.cluster, desired.fluxKustomizations)
    : desired.argoApplications
      ? await readArgoTracked(connection.cluster, desired.argoApplications)
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
    verify: settings.verify,
    verifyKinds: settings.verifyKinds,
    onProgress: hooks.progress,
    onWarning: hooks.warning,
    inventory: own.inventory,
    fluxInventory,
    undecrypted: desired.undecrypted,
    leaveArgoCd: !settings.argocd.remediate,
    onDryRun,
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
        remotesOf: settings.repoRoot,
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
