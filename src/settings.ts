// One typed Settings object, parsed once from action inputs or CLI flags, so the action and
// the CLI are two thin faces of one engine. The option table below is the single place an
// option is declared: the CLI's --help and the action.yml check are generated from it.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { IgnoreRule } from './drift/ignore.ts';
import { parseIgnoreRules } from './drift/ignore.ts';
import { takeoverPatternProblem } from './drift/managers.ts';
import type { FailOn } from './drift/threeway.ts';
import { InputError } from './errors.ts';
import type { WebhookFormat } from './github/webhook.ts';
import type { KubeconfigSource } from './kube/kubeconfig.ts';
import {
  type ChartCredential,
  dockerConfigCredentials,
  parseChartCredentials,
} from './render/flux/chart-credentials.ts';
import type { SopsKeySources } from './render/sops/keys.ts';

export type Command = 'diff' | 'apply' | 'render';
export type SourceMode = 'auto' | 'plain' | 'kustomize' | 'helm' | 'flux';
export type OutputFormat = 'text' | 'markdown' | 'json';
export type DiffModeSetting = 'server' | 'client' | 'auto';

export interface Settings {
  command: Command;
  /** A named cluster/path set; names the comment, check run, issue and owner labels. */
  target: string;
  /** Who owns the target (recorded in its inventory); undefined: the repository the run is for. */
  owner?: string;
  repoRoot: string;
  /** Relative to repoRoot. */
  paths: string[];
  source: SourceMode;
  kubeconfig: KubeconfigSource;
  /** Namespace for namespaced objects that name none. */
  namespace: string;
  helm: { releaseName: string; namespace?: string; valuesFiles: string[]; set: string[] };
  ignoreRules: IgnoreRule[];
  /** Key material for SOPS-encrypted Secrets of Flux Kustomizations (read when rendering). */
  sops: SopsKeySources;
  fieldManager: string;
  /** Field managers whose fields Git decides: what they own and Git does not set is drift. */
  takeoverManagers: string[];
  concurrency: number;
  diffMode: DiffModeSetting;
  output: OutputFormat;
  /** Where the JSON report is written (always, in the action). */
  reportFile?: string;
  color: boolean;
  verbose: boolean;
  failOnDrift: boolean;
  /** Three-way PR preview: auto (on with a base commit: the PR's base, or --base), off (plain live diff). */
  threeWay: 'auto' | 'off';
  /** Git ref or SHA of the base to compare with; the action sets the pull request's base SHA. */
  base?: string;
  /** Which changes fail the check in a three-way preview: any, only pre-existing drift, only the PR's own. */
  failOn: FailOn;
  /** Whether the rendered content may read cluster Secrets (Helm lookup); false on pull request runs. */
  trusted: boolean;
  /** Credentials for private chart sources, each for one host. */
  chartCredentials: ChartCredential[];
  remediation: {
    remediate: boolean;
    prune: boolean;
    wait: boolean;
    timeoutSeconds: number;
    force: boolean;
    dryRun: boolean;
    allowedRefs: string[];
    maxDeletions: number;
    inventoryNamespace: string;
    suspend: boolean;
    skipUnhealthy: boolean;
  };
  github: {
    token: string;
    comment: boolean;
    checkRun: boolean;
    issue: boolean;
    issueLabels: string[];
    webhookUrl?: string;
    webhookFormat: WebhookFormat;
  };
}

type Kind = 'string' | 'boolean' | 'number' | 'list';

export interface OptionSpec {
  name: string;
  kind: Kind;
  description: string;
  default?: string;
  /** Where it applies: the action only (GitHub), the CLI only, or both. */
  scope?: 'action' | 'cli';
  choices?: readonly string[];
  /** A CLI flag that may repeat (paths, values files). */
  repeat?: boolean;
  alias?: string;
}

/** The target name when none is given: too common to prune by. */
export const DEFAULT_TARGET = 'default';

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'path',
    kind: 'list',
    repeat: true,
    alias: 'p',
    description:
      'Path of manifests to render: a directory of YAML, a Kustomize directory, a Helm chart, or a Flux cluster directory. Several allowed (newline- or comma-separated in the action).',
    default: '.',
  },
  {
    name: 'source',
    kind: 'string',
    choices: ['auto', 'plain', 'kustomize', 'helm', 'flux'],
    default: 'auto',
    description: 'How to render each path; auto detects kustomization.yaml and Chart.yaml.',
  },
  {
    name: 'target',
    kind: 'string',
    default: DEFAULT_TARGET,
    description:
      'Name of this cluster/path set, e.g. production. Names the PR comment, check run, drift issue, owner labels and inventory; prune needs one given explicitly.',
  },
  {
    name: 'owner',
    kind: 'string',
    description:
      'Who owns the target, recorded in its inventory: by default the repository (GITHUB_REPOSITORY in the action, else the normalized origin URL). A target another owner holds is refused, and prune never crosses owners. Set it when several repositories (or a renamed one) share a target on purpose.',
  },
  {
    name: 'kubeconfig',
    kind: 'string',
    description: 'Kubeconfig: a file path (CLI), or in the action the kubeconfig content, plain or base64.',
  },
  { name: 'context', kind: 'string', description: 'Kubeconfig context to use instead of current-context.' },
  {
    name: 'namespace',
    kind: 'string',
    alias: 'n',
    default: 'default',
    description: 'Namespace for namespaced objects that name none.',
  },
  {
    name: 'helm-release-name',
    kind: 'string',
    default: 'release',
    description: 'Release name for Helm chart paths.',
  },
  {
    name: 'helm-namespace',
    kind: 'string',
    description: 'Namespace for Helm chart paths (default: --namespace).',
  },
  { name: 'helm-values', kind: 'list', repeat: true, description: 'Values files for Helm chart paths.' },
  {
    name: 'helm-set',
    kind: 'list',
    repeat: true,
    description: 'key=value overrides for Helm chart paths (as helm --set).',
  },
  {
    name: 'sops-age-key',
    kind: 'string',
    description:
      'age identities (AGE-SECRET-KEY-1…, one a line) that decrypt the SOPS-encrypted Secrets of Flux Kustomizations with decryption.provider sops. SOPS_AGE_KEY is read too. Registered as a secret.',
  },
  {
    name: 'sops-age-key-file',
    kind: 'string',
    description: 'File of age identities for SOPS, as SOPS_AGE_KEY_FILE (which is read too).',
  },
  {
    name: 'sops-pgp-key',
    kind: 'string',
    description:
      'Armored OpenPGP private keys, without passphrase, for SOPS files encrypted with PGP (the CLI also takes a file path). Registered as a secret.',
  },
  {
    name: 'sops-keys-from-cluster',
    kind: 'boolean',
    default: 'false',
    description:
      "Also decrypt with the keys in the Secret a Flux Kustomization names in spec.decryption.secretRef (its *.agekey and *.asc entries), read with the run's credentials as kustomize-controller reads it. Ignored on untrusted runs (see trusted).",
  },
  {
    name: 'ignore-file',
    kind: 'string',
    description:
      'YAML file of ignore rules in Flux shape: [{paths: [JSON pointers], target: {group, version, kind, name, namespace, labelSelector, annotationSelector}}].',
  },
  {
    name: 'ignore',
    kind: 'string',
    scope: 'action',
    description: 'Ignore rules inline, as YAML (same shape as ignore-file).',
  },
  {
    name: 'field-manager',
    kind: 'string',
    default: 'kube-drift',
    description: 'Field manager for dry-runs and applies.',
  },
  {
    name: 'takeover-managers',
    kind: 'list',
    repeat: true,
    default: 'kubectl*,before-first-apply,helm',
    description:
      "Field managers whose fields kube-drift takes over, as Flux's --override-manager: fields they own that Git does not set are drift, and apply removes them. * matches any characters; controllers are never taken over. Other non-controller managers get a note.",
  },
  { name: 'concurrency', kind: 'number', default: '16', description: 'Dry-run requests in flight at once.' },
  {
    name: 'diff-mode',
    kind: 'string',
    choices: ['server', 'client', 'auto'],
    default: 'server',
    description:
      'server: server-side apply dry-run (needs patch permission); client: compare without write verbs; auto: server, falling back to client on 403.',
  },
  {
    name: 'output',
    kind: 'string',
    scope: 'cli',
    alias: 'o',
    choices: ['text', 'markdown', 'json'],
    default: 'text',
    description: 'Report format on standard output.',
  },
  {
    name: 'report-file',
    kind: 'string',
    description:
      'Write the JSON report to this file (the action defaults to $RUNNER_TEMP/kube-drift-<target>.json).',
  },
  {
    name: 'color',
    kind: 'string',
    scope: 'cli',
    choices: ['auto', 'always', 'never'],
    default: 'auto',
    description: 'Colour in text output.',
  },
  {
    name: 'verbose',
    kind: 'boolean',
    scope: 'cli',
    alias: 'v',
    default: 'false',
    description: 'List unchanged objects too.',
  },
  {
    name: 'fail-on-drift',
    kind: 'boolean',
    scope: 'action',
    default: 'true',
    description: 'Fail the check run (and the action) when drift is found. Errors always fail.',
  },
  {
    name: 'three-way',
    kind: 'string',
    choices: ['auto', 'off'],
    default: 'auto',
    description:
      "Three-way PR preview: auto renders the pull request base (or --base) too and tells the PR's own changes from drift already in the cluster; off diffs head against the cluster only.",
  },
  {
    name: 'base',
    kind: 'string',
    scope: 'cli',
    description:
      'Git ref of the base to compare with for a three-way preview, e.g. origin/main (the action uses the pull request base).',
  },
  {
    name: 'fail-on',
    kind: 'string',
    choices: ['any', 'drift', 'pr'],
    default: 'any',
    description:
      "In a three-way preview, what fails the check and the exit status: any change, only drift already in the cluster, or only the PR's own changes (fields both changed count for both).",
  },
  {
    name: 'trusted',
    kind: 'string',
    choices: ['auto', 'false'],
    default: 'auto',
    description:
      'Whether the manifests may read cluster Secrets while rendering (Helm lookup). auto: not on pull_request and pull_request_target runs (GITHUB_EVENT_NAME), whose head is the pull request\'s; there lookups of Secrets answer "not found". false: never.',
  },
  {
    name: 'chart-credentials',
    kind: 'list',
    repeat: true,
    description:
      'Credentials for private Helm repositories and OCI registries, one host=username:password per line (e.g. ghcr.io=user:<token>). Each is sent only to that host: a HelmRepository or OCIRepository pointing elsewhere gets none.',
  },
  {
    name: 'docker-config',
    kind: 'string',
    description:
      'A docker config.json (docker login, helm registry login) whose auths are chart credentials too, each bound to its host. Without it helm uses no login the runner holds.',
  },
  {
    name: 'remediate',
    kind: 'boolean',
    default: 'false',
    description:
      'Apply Git to the cluster (action; the CLI has the apply command). Refused on pull requests and refs outside allowed-refs.',
  },
  {
    name: 'prune',
    kind: 'boolean',
    default: 'false',
    description: 'Delete objects kube-drift applied earlier that are gone from Git.',
  },
  {
    name: 'wait',
    kind: 'boolean',
    default: 'false',
    description: 'After applying, wait until workloads are healthy.',
  },
  { name: 'timeout', kind: 'number', default: '300', description: 'Seconds to wait for health with wait.' },
  {
    name: 'force',
    kind: 'boolean',
    default: 'false',
    description: 'Delete and recreate objects whose immutable fields changed.',
  },
  { name: 'dry-run', kind: 'boolean', default: 'false', description: 'Plan remediation without writing.' },
  {
    name: 'allowed-refs',
    kind: 'list',
    description: 'Refs remediation may run on (default: the repository default branch).',
  },
  {
    name: 'max-deletions',
    kind: 'number',
    default: '25',
    description: 'Refuse to prune more objects than this in one run.',
  },
  {
    name: 'inventory-namespace',
    kind: 'string',
    default: 'kube-drift-system',
    description: 'Namespace of the inventory kube-drift keeps of what it applied.',
  },
  {
    name: 'suspend',
    kind: 'boolean',
    default: 'false',
    description: 'Suspend remediation for this target: report everything as skipped.',
  },
  {
    name: 'skip-unhealthy',
    kind: 'boolean',
    default: 'false',
    description: 'Leave workloads that are unhealthy before remediation alone.',
  },
  {
    name: 'github-token',
    kind: 'string',
    scope: 'action',
    default: '${{ github.token }}',
    description: 'Token for comments, check runs and issues.',
  },
  {
    name: 'comment',
    kind: 'boolean',
    scope: 'action',
    default: 'true',
    description: 'Post a sticky drift comment on pull requests.',
  },
  {
    name: 'check-run',
    kind: 'boolean',
    scope: 'action',
    default: 'true',
    description: 'Create a check run named "kube-drift / <target>".',
  },
  {
    name: 'issue',
    kind: 'boolean',
    scope: 'action',
    default: 'false',
    description: 'On non-PR runs, open/update/close one drift issue per target.',
  },
  {
    name: 'issue-labels',
    kind: 'list',
    scope: 'action',
    default: 'drift',
    description: 'Labels of the drift issue.',
  },
  {
    name: 'webhook-url',
    kind: 'string',
    scope: 'action',
    description: 'Webhook to notify on drift found, resolved and remediated.',
  },
  {
    name: 'webhook-format',
    kind: 'string',
    scope: 'action',
    choices: ['slack', 'teams', 'json'],
    default: 'json',
    description: 'Payload shape for webhook-url.',
  },
];

export type RawOptions = Record<string, string | string[] | undefined>;

/** Builds Settings from raw option values (flags or inputs), applying defaults and validating. */
export function parseSettings(
  command: Command,
  raw: RawOptions,
  context: { repoRoot: string; isAction: boolean; eventName?: string },
): Settings {
  const get = (name: string): string | undefined => {
    const value = raw[name];
    const text = Array.isArray(value) ? value.join('\n') : value;
    if (text !== undefined && text.trim() !== '') return text.trim();
    return OPTIONS.find((o) => o.name === name)?.default?.replace('${{ github.token }}', '');
  };
  const list = (name: string): string[] => {
    const value = raw[name];
    const items = Array.isArray(value) ? value : (get(name) ?? '').split(/[\n,]/);
    return items.map((s) => s.trim()).filter(Boolean);
  };
  const bool = (name: string): boolean => {
    const text = (get(name) ?? 'false').toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(text)) return true;
    if (['false', 'no', '0', 'off', ''].includes(text)) return false;
    throw new InputError(`${label(name, context.isAction)} must be true or false, not "${get(name)}"`);
  };
  const number = (name: string, min: number, max: number): number => {
    const text = get(name) ?? '';
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InputError(
        `${label(name, context.isAction)} must be a whole number from ${min} to ${max}, not "${text}"`,
      );
    }
    return value;
  };
  const choice = <T extends string>(name: string): T => {
    const spec = OPTIONS.find((o) => o.name === name)!;
    const value = get(name) ?? '';
    if (!spec.choices!.includes(value)) {
      throw new InputError(
        `${label(name, context.isAction)} must be one of ${spec.choices!.join(', ')}, not "${value}"`,
      );
    }
    return value as T;
  };

  const repoRoot = resolve(context.repoRoot);
  const paths = list('path').map((p) => {
    const relativePath = relative(repoRoot, resolve(repoRoot, p)) || '.';
    return relativePath.split('\\').join('/');
  });
  if (paths.length === 0) throw new InputError(`${label('path', context.isAction)} is empty`);

  const target = get('target')!;
  if (!/^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/i.test(target)) {
    throw new InputError(
      `${label('target', context.isAction)} "${target}" must be a label value: letters, digits, -, _ and ., at most 63 characters`,
    );
  }

  const kubeconfigValue = get('kubeconfig');
  const kubeconfig: KubeconfigSource = context.isAction
    ? kubeconfigValue && !looksLikePath(kubeconfigValue)
      ? { inline: kubeconfigValue }
      : { path: kubeconfigValue ? resolve(repoRoot, kubeconfigValue) : undefined }
    : { path: kubeconfigValue ? resolve(kubeconfigValue) : undefined };
  kubeconfig.context = get('context');

  const ignoreRules: IgnoreRule[] = [];
  const ignoreFile = get('ignore-file');
  if (ignoreFile) {
    const file = isAbsolute(ignoreFile) ? ignoreFile : resolve(repoRoot, ignoreFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new InputError(`ignore file ${ignoreFile} cannot be read`, {
        hint: 'Check the path given to ignore-file.',
      });
    }
    ignoreRules.push(...parseIgnoreRules(text, ignoreFile));
  }
  const inlineIgnore = get('ignore');
  if (inlineIgnore) ignoreRules.push(...parseIgnoreRules(inlineIgnore, 'the ignore input'));

  const sops = {
    ...sopsKeySources(get, repoRoot, context.isAction),
    fromCluster: bool('sops-keys-from-cluster'),
  };

  const threeWay = choice<'auto' | 'off'>('three-way');
  const base = get('base');
  if (base && threeWay === 'off') {
    throw new InputError(
      `${label('base', context.isAction)} asks for a three-way preview, but ${label('three-way', context.isAction)} is off`,
      {
        hint: 'Drop one of them.',
      },
    );
  }

  const failOn = choice<FailOn>('fail-on');
  if (failOn !== 'any' && threeWay === 'off') {
    // Only a three-way preview knows whose a change is; a live diff would fail on every drift.
    throw new InputError(
      `${label('fail-on', context.isAction)} ${failOn} needs a three-way preview, but ${label('three-way', context.isAction)} is off`,
      { hint: 'Set fail-on to any, or three-way to auto.' },
    );
  }
  const remediate = command === 'apply' || (context.isAction && bool('remediate'));
  const prune = bool('prune');
  if (remediate && prune && target === DEFAULT_TARGET) {
    throw new InputError(
      `${label('prune', context.isAction)} needs an explicit ${label('target', context.isAction)}: the default name "${DEFAULT_TARGET}" is one that other repositories applying to this cluster may use too`,
      {
        hint: `Name the target after what it holds (e.g. ${context.isAction ? 'target: production' : '--target production'}); objects applied under "${DEFAULT_TARGET}" stay where they are.`,
      },
    );
  }

  const chartCredentials = parseChartCredentials(
    (Array.isArray(raw['chart-credentials'])
      ? raw['chart-credentials']
      : (raw['chart-credentials'] ?? '').split('\n')
    ).filter((entry) => entry.trim() !== ''),
    label('chart-credentials', context.isAction),
  );
  const dockerConfig = get('docker-config');
  if (dockerConfig) {
    const file = resolve(repoRoot, dockerConfig);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new InputError(`docker config ${dockerConfig} cannot be read`, {
        hint: `Check the path given to ${label('docker-config', context.isAction)}.`,
      });
    }
    chartCredentials.push(...dockerConfigCredentials(text, dockerConfig));
  }

  const colorChoice = choice<'auto' | 'always' | 'never'>('color');
  const namespace = get('namespace')!;

  return {
    command,
    target,
    owner: get('owner'),
    repoRoot,
    paths,
    source: choice<SourceMode>('source'),
    kubeconfig,
    namespace,
    helm: {
      releaseName: get('helm-release-name')!,
      namespace: get('helm-namespace') ?? namespace,
      valuesFiles: list('helm-values'),
      set: list('helm-set'),
    },
    ignoreRules,
    sops,
    fieldManager: get('field-manager')!,
    takeoverManagers: takeoverManagers(
      list('takeover-managers')
        .flatMap((item) => item.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
      context.isAction,
    ),
    concurrency: number('concurrency', 1, 256),
    diffMode: choice<DiffModeSetting>('diff-mode'),
    output: choice<OutputFormat>('output'),
    reportFile: get('report-file'),
    color:
      colorChoice === 'always' ||
      (colorChoice === 'auto' && !context.isAction && !!process.stdout.isTTY && !process.env.NO_COLOR),
    verbose: bool('verbose'),
    failOnDrift: bool('fail-on-drift'),
    threeWay,
    base,
    failOn,
    trusted:
      choice<'auto' | 'false'>('trusted') === 'auto' &&
      !UNTRUSTED_EVENTS.has(context.eventName ?? process.env.GITHUB_EVENT_NAME ?? ''),
    chartCredentials,
    remediation: {
      remediate,
      prune,
      wait: bool('wait'),
      timeoutSeconds: number('timeout', 1, 86_400),
      force: bool('force'),
      dryRun: bool('dry-run'),
      allowedRefs: list('allowed-refs'),
      maxDeletions: number('max-deletions', 0, 1_000_000),
      inventoryNamespace: get('inventory-namespace')!,
      suspend: bool('suspend'),
      skipUnhealthy: bool('skip-unhealthy'),
    },
    github: {
      token: get('github-token') ?? '',
      comment: bool('comment'),
      checkRun: bool('check-run'),
      issue: bool('issue'),
      issueLabels: list('issue-labels'),
      webhookUrl: get('webhook-url'),
      webhookFormat: choice<WebhookFormat>('webhook-format'),
    },
  };
}

/** SOPS keys from the options, else from sops' own environment variables (as the controller reads them). */
function sopsKeySources(
  get: (name: string) => string | undefined,
  repoRoot: string,
  isAction: boolean,
): SopsKeySources {
  const ageKeyFile = get('sops-age-key-file') ?? process.env.SOPS_AGE_KEY_FILE;
  let pgpKey = get('sops-pgp-key');
  if (pgpKey && !pgpKey.includes('-----BEGIN')) {
    try {
      pgpKey = readFileSync(isAction ? resolve(repoRoot, pgpKey) : resolve(pgpKey), 'utf8');
    } catch {
      throw new InputError(
        `${label('sops-pgp-key', isAction)} is neither an armored PGP private key nor a readable file`,
        {
          hint: 'Give the output of `gpg --armor --export-secret-keys <fingerprint>`, or the path of a file holding it.',
        },
      );
    }
  }
  return {
    ageKey: get('sops-age-key') ?? (process.env.SOPS_AGE_KEY?.trim() || undefined),
    ageKeyFile: ageKeyFile ? (isAction ? resolve(repoRoot, ageKeyFile) : resolve(ageKeyFile)) : undefined,
    pgpKey,
  };
}

/** Runs whose checkout is a pull request's head: what it renders is the pull request's to decide. */
const UNTRUSTED_EVENTS = new Set(['pull_request', 'pull_request_target']);

function takeoverManagers(patterns: string[], isAction: boolean): string[] {
  for (const pattern of patterns) {
    const problem = takeoverPatternProblem(pattern);
    if (problem) throw new InputError(`${label('takeover-managers', isAction)}: "${pattern}" ${problem}`);
  }
  return patterns;
}

function label(name: string, isAction: boolean): string {
  return isAction ? `input "${name}"` : `--${name}`;
}

/** In the action, the kubeconfig input is content unless it is clearly a file path. */
function looksLikePath(value: string): boolean {
  return (
    !value.includes('\n') &&
    value.length < 512 &&
    /[/.]/.test(value) &&
    !/^[A-Za-z0-9+/=]{200,}$/.test(value) &&
    !value.includes('apiVersion')
  );
}
