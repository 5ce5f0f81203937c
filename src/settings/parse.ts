// Building Settings from raw option values: defaults applied, every value checked, and each
// rule that ties options together (a base needs three-way, prune needs a named target) in one
// function of its own. Parsing is the last word: nothing changes a Settings object afterwards.

import { join, relative, resolve } from 'node:path';
import { takeoverPatternProblem } from '../drift/managers.ts';
import type { FailOn } from '../drift/threeway.ts';
import { InputError } from '../errors.ts';
import type { WebhookFormat } from '../github/webhook.ts';
import type { Command, DiffModeSetting, OutputFormat, Settings, SourceMode } from '../settings.ts';
import { chartCredentials, ignoreRules, kubeconfigSource, sopsKeySources } from './files.ts';
import { DEFAULT_TARGET } from './options.ts';
import { OptionReader, type RawOptions } from './reader.ts';
import { riskSettings } from './risk.ts';

/** What the run knows before its options are read. */
export interface ParseContext {
  repoRoot: string;
  isAction: boolean;
  /** GITHUB_EVENT_NAME when not given: decides whether the run is trusted. */
  eventName?: string;
  /** The pull request's base commit: the base of a three-way preview unless one is given. */
  pullRequestBase?: string;
  /** Where the action writes its JSON report when report-file is not set (RUNNER_TEMP). */
  reportDir?: string;
  /** How errors name an option, when its value came from a config file rather than an input or flag. */
  label?: (name: string) => string;
}

/** Runs whose checkout is a pull request's head: what it renders is the pull request's to decide. */
const UNTRUSTED_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** Builds Settings from raw option values (flags or inputs), applying defaults and validating. */
export function parseSettings(command: Command, raw: RawOptions, context: ParseContext): Settings {
  const read = new OptionReader(raw, context.isAction, context.label);
  const repoRoot = resolve(context.repoRoot);
  const paths = repositoryPaths(read, repoRoot);
  const target = targetName(read);
  const namespace = read.get('namespace')!;
  const colorChoice = read.choice<'auto' | 'always' | 'never'>('color');
  return frozen<Settings>({
    command,
    target,
    owner: read.get('owner'),
    repoRoot,
    paths,
    source: read.choice<SourceMode>('source'),
    strict: read.bool('strict'),
    kubeconfig: kubeconfigSource(read, repoRoot),
    namespace,
    helm: {
      releaseName: read.get('helm-release-name')!,
      namespace: read.get('helm-namespace') ?? namespace,
      valuesFiles: read.list('helm-values'),
      set: read.list('helm-set'),
    },
    ignoreRules: ignoreRules(read, repoRoot),
    sops: { ...sopsKeySources(read, repoRoot), fromCluster: read.bool('sops-keys-from-cluster') },
    fieldManager: read.get('field-manager')!,
    takeoverManagers: takeoverManagers(read),
    concurrency: read.number('concurrency', 1, 256),
    diffMode: read.choice<DiffModeSetting>('diff-mode'),
    verify: read.choice<'auto' | 'all'>('verify'),
    verifyKinds: verifyKinds(read),
    output: read.choice<OutputFormat>('output'),
    reportFile: read.get('report-file') ?? defaultReportFile(context, target),
    color:
      colorChoice === 'always' ||
      (colorChoice === 'auto' && !context.isAction && !!process.stdout.isTTY && !process.env.NO_COLOR),
    verbose: read.bool('verbose'),
    failOnDrift: read.bool('fail-on-drift'),
    ...preview(read, context),
    risk: riskSettings(read),
    trusted:
      read.choice<'auto' | 'false'>('trusted') === 'auto' &&
      !UNTRUSTED_EVENTS.has(context.eventName ?? process.env.GITHUB_EVENT_NAME ?? ''),
    chartCredentials: chartCredentials(read, repoRoot),
    argocd: {
      repos: read.lines('argocd-repos'),
      clusters: read.list('argocd-clusters'),
      remediate: read.bool('argocd-remediate'),
    },
    remediation: remediation(read, command, target),
    github: {
      token: read.get('github-token') ?? '',
      comment: read.bool('comment'),
      checkRun: read.bool('check-run'),
      issue: read.bool('issue'),
      issueLabels: read.list('issue-labels'),
      webhookUrl: read.get('webhook-url'),
      webhookFormat: read.choice<WebhookFormat>('webhook-format'),
    },
  });
}

/** Frozen all the way down: a stage that changed the settings would change them for every later one. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) frozen(child);
    Object.freeze(value);
  }
  return value;
}

function targetName(read: OptionReader): string {
  const target = read.get('target')!;
  if (!/^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/i.test(target)) {
    throw new InputError(
      `${read.label('target')} "${target}" must be a label value: letters, digits, -, _ and ., at most 63 characters`,
    );
  }
  return target;
}

/** Paths relative to the repository root, with forward slashes. */
function repositoryPaths(read: OptionReader, repoRoot: string): string[] {
  const paths = read.list('path').map((p) => {
    const relativePath = relative(repoRoot, resolve(repoRoot, p)) || '.';
    return relativePath.split('\\').join('/');
  });
  if (paths.length === 0) throw new InputError(`${read.label('path')} is empty`);
  return paths;
}

/** The action always leaves a JSON report; the CLI only when asked. */
function defaultReportFile(context: ParseContext, target: string): string | undefined {
  return context.isAction && context.reportDir
    ? join(context.reportDir, `kube-drift-${target}.json`)
    : undefined;
}

/** The three-way preview: whether, against which base, and what fails the check. */
function preview(read: OptionReader, context: ParseContext): Pick<Settings, 'threeWay' | 'base' | 'failOn'> {
  const threeWay = read.choice<'auto' | 'off'>('three-way');
  const given = read.get('base');
  if (given && threeWay === 'off') {
    throw new InputError(
      `${read.label('base')} asks for a three-way preview, but ${read.label('three-way')} is off`,
      { hint: 'Drop one of them.' },
    );
  }
  const failOn = read.choice<FailOn>('fail-on');
  if (failOn !== 'any' && threeWay === 'off') {
    // Only a three-way preview knows whose a change is; a live diff would fail on every drift.
    throw new InputError(
      `${read.label('fail-on')} ${failOn} needs a three-way preview, but ${read.label('three-way')} is off`,
      { hint: 'Set fail-on to any, or three-way to auto.' },
    );
  }
  // A pull request has a base to compare with: its own base commit.
  const base = given ?? (threeWay === 'auto' ? context.pullRequestBase : undefined);
  return { threeWay, base, failOn };
}

function remediation(read: OptionReader, command: Command, target: string): Settings['remediation'] {
  const remediate = command === 'apply' || (read.isAction && read.bool('remediate'));
  const prune = read.bool('prune');
  if (remediate && prune && target === DEFAULT_TARGET) {
    throw new InputError(
      `${read.label('prune')} needs an explicit ${read.label('target')}: the default name "${DEFAULT_TARGET}" is one that other repositories applying to this cluster may use too`,
      {
        hint: `Name the target after what it holds (e.g. ${read.isAction ? 'target: production' : '--target production'}); objects applied under "${DEFAULT_TARGET}" stay where they are.`,
      },
    );
  }
  return {
    remediate,
    prune,
    wait: read.bool('wait'),
    timeoutSeconds: read.number('timeout', 1, 86_400),
    force: read.bool('force'),
    dryRun: read.bool('dry-run'),
    allowedRefs: read.list('allowed-refs'),
    maxDeletions: read.number('max-deletions', 0, 1_000_000),
    inventoryNamespace: read.get('inventory-namespace')!,
    suspend: read.bool('suspend'),
    skipUnhealthy: read.bool('skip-unhealthy'),
  };
}

function verifyKinds(read: OptionReader): string[] {
  const kinds = read.list('verify-kinds');
  for (const kind of kinds)
    if (!/^[A-Z][A-Za-z0-9]*(\.([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?)?$/.test(kind))
      throw new InputError(
        `${read.label('verify-kinds')}: "${kind}" is not a kind: write Kind or Kind.group (Deployment, Ingress.networking.k8s.io)`,
      );
  return kinds;
}

function takeoverManagers(read: OptionReader): string[] {
  const patterns = read
    .list('takeover-managers')
    .flatMap((item) => item.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const pattern of patterns) {
    const problem = takeoverPatternProblem(pattern);
    if (problem) throw new InputError(`${read.label('takeover-managers')}: "${pattern}" ${problem}`);
  }
  return patterns;
}
