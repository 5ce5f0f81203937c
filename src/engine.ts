// The flow of DESIGN.md, shared by the action and the CLI:
// settings → render → plan (against the cluster) → change set → report.
import { realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { IgnoreRule } from './drift/ignore.ts';
import { Redactor } from './drift/mask.ts';
import { type Plan, plan } from './drift/plan.ts';
import { classifyChanges, type FailOn, failsOn } from './drift/threeway.ts';
import { KubeClient } from './kube/client.ts';
import { Discovery } from './kube/discovery.ts';
import { readFluxInventory } from './kube/flux-inventory.ts';
import { loadKubeconfig } from './kube/kubeconfig.ts';
import { ClusterObjects } from './kube/objects.ts';
import type { ChangeSet, DesiredObject, PlanError } from './model.ts';
import { type RemediationResult, remediate } from './remediate/index.ts';
import { readInventory } from './remediate/inventory.ts';
import { acquireLease, type HeldLease } from './remediate/lease.ts';
import { isFluxPath } from './render/flux/detect.ts';
import { fluxDriftSettings } from './render/flux/drift-settings.ts';
import { renderFlux } from './render/flux/index.ts';
import { checkoutBase, gitToplevel } from './render/git-base.ts';
import { RenderError, render } from './render/index.ts';
import { buildReport, isThreeWay, type Report } from './report/model.ts';
import type { Settings } from './settings.ts';
import { VERSION } from './version.ts';

export interface EngineHooks {
  info(message: string): void;
  warning(message: string): void;
  progress?(done: number, total: number): void;
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
  /** Releases the Lease (when this run took it) and closes the connection. */
  close(): Promise<void>;
}

/**
 * Exit status as `kubectl diff`: 0 in sync, 1 drift, 2 error. In a three-way preview,
 * `failOn` narrows what counts: only the PR's own changes, or only drift already there.
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
  /** Ignore rules of one group's objects (Flux Kustomization `spec.ignore`, HelmRelease `spec.driftDetection.ignore`). */
  groupIgnoreRules?: Map<string, IgnoreRule[]>;
  /** Flux sources: the Kustomizations whose `.status.inventory` says what Flux would prune (prune on, not suspended, rendered). */
  fluxKustomizations?: { namespace: string; name: string }[];
}

export async function renderDesired(settings: Settings): Promise<DesiredSet> {
  // source auto: paths that hold Flux Kustomization objects are Flux cluster paths.
  if (
    settings.source === 'flux' ||
    (settings.source === 'auto' && settings.paths.every((path) => isFluxPath(join(settings.repoRoot, path))))
  ) {
    const flux = await renderFlux({ repoRoot: settings.repoRoot, paths: settings.paths });
    const { skippedGroups, reportOnlyGroups, groupIgnoreRules, errors } = fluxDriftSettings(flux.groups);
    return {
      objects: flux.objects,
      errors: [
        ...flux.errors.map((e) => ({ message: `${e.group}: ${e.message}`, object: e.group })),
        ...errors,
      ],
      skippedGroups,
      reportOnlyGroups,
      ignoreRules: [],
      groupIgnoreRules,
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
  });
  return { objects, errors: [], skippedGroups: new Map(), ignoreRules: [] };
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
      close: () => client.close(),
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
  redactor = new Redactor(),
  options: { forApply?: boolean } = {},
): Promise<DiffResult> {
  const desired = await renderDesired(settings);
  hooks.info(`rendered ${desired.objects.length} objects from ${settings.paths.join(', ')}`);
  const connection = await connect(settings, hooks);
  let lease: HeldLease | undefined;
  const close = async () => {
    await lease?.release();
    connection.close();
  };
  try {
    const r = settings.remediation;
    if (options.forApply && !r.dryRun && !r.suspend) {
      lease = await acquireLease(connection.cluster, {
        target: settings.target,
        namespace: r.inventoryNamespace,
        fieldManager: settings.fieldManager,
        waitSeconds: r.timeoutSeconds,
        onWarning: hooks.warning,
        onWait: hooks.info,
      });
    }
    const result = await planAgainst(desired, connection, settings, hooks, redactor);
    const changeSet = await threeWayChangeSet(settings, result, hooks);
    const report = buildReport(changeSet, {
      target: settings.target,
      mode: 'diff',
      generatedAt: new Date().toISOString(),
      kubeDriftVersion: VERSION,
      cluster: connection.server,
    });
    return { desired, plan: result, changeSet, report, connection, redactor, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Plans the desired set against the cluster as it is now. */
async function planAgainst(
  desired: DesiredSet,
  connection: Connection,
  settings: Settings,
  hooks: EngineHooks,
  redactor: Redactor,
): Promise<Plan> {
  const inventory = await readInventory(
    connection.cluster,
    settings.target,
    settings.remediation.inventoryNamespace,
  );
  const fluxInventory = desired.fluxKustomizations
    ? await readFluxInventory(connection.cluster, desired.fluxKustomizations)
    : undefined;
  return plan(desired.objects, connection.cluster, {
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
    inventory,
    fluxInventory,
  });
}

/**
 * The plan's change set, classed by whose change each field is when there is a base commit
 * to compare with (the PR's base, or --base): see src/drift/threeway.ts.
 */
async function threeWayChangeSet(settings: Settings, result: Plan, hooks: EngineHooks): Promise<ChangeSet> {
  if (settings.threeWay === 'off' || !settings.base) return result.changeSet;
  const toplevel = await gitToplevel(settings.repoRoot);
  const checkout = await checkoutBase(toplevel, settings.base);
  try {
    const baseRoot = join(checkout.dir, relative(toplevel, await realpath(settings.repoRoot)));
    let base: DesiredSet;
    try {
      base = await renderDesired({ ...settings, repoRoot: baseRoot });
    } catch (error) {
      // The PR may be the fix for manifests that did not render: preview it as a plain diff.
      if (!(error instanceof RenderError)) throw error;
      hooks.warning(
        `three-way preview skipped: the manifests at the base ${settings.base} do not render (${error.message})`,
      );
      return result.changeSet;
    }
    hooks.info(`three-way preview: rendered ${base.objects.length} objects at the base ${settings.base}`);
    return classifyChanges(result, base.objects, { defaultNamespace: settings.namespace });
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
