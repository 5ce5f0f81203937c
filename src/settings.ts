// One typed Settings object, parsed once from action inputs or CLI flags, so the action and
// the CLI are two thin faces of one engine. The option table is in settings/options.ts, reading
// raw values in settings/reader.ts, parsing and the rules between options in settings/parse.ts.

import type { IgnoreRule } from './drift/ignore.ts';
import type { FailOn } from './drift/threeway.ts';
import type { WebhookFormat } from './github/webhook.ts';
import type { KubeconfigSource } from './kube/kubeconfig.ts';
import type { RiskSeverity } from './model.ts';
import type { ChartCredential } from './render/flux/chart-credentials.ts';
import type { SopsKeySources } from './render/sops/keys.ts';
import type { RiskAcceptance } from './settings/risk.ts';

export { DEFAULT_TARGET, OPTIONS, type OptionKind, type OptionSpec } from './settings/options.ts';
export { type ParseContext, parseSettings } from './settings/parse.ts';
export type { RawOptions } from './settings/reader.ts';

export type Command = 'diff' | 'apply' | 'render';
export type SourceMode = 'auto' | 'plain' | 'kustomize' | 'helm' | 'flux' | 'argocd';
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
  /** Files a directory walk finds that are plainly not manifests are errors instead of skipped. */
  strict: boolean;
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
  /** auto: skip the dry-run where the in-sync proof holds; all: dry-run every object. */
  verify: 'auto' | 'all';
  /** Kinds always dry-run (`Kind` or `Kind.group`). */
  verifyKinds: string[];
  output: OutputFormat;
  /** Where the JSON report is written (in the action always: $RUNNER_TEMP/kube-drift-<target>.json by default). */
  reportFile?: string;
  color: boolean;
  verbose: boolean;
  failOnDrift: boolean;
  /** Three-way PR preview: auto (on with a base commit: the PR's base, or --base), off (plain live diff). */
  threeWay: 'auto' | 'off';
  /** Git ref or SHA of the base to compare with; in the action, the pull request's base SHA unless given. */
  base?: string;
  /** Which changes fail the check in a three-way preview: any, only pre-existing drift, only the PR's own. */
  failOn: FailOn;
  /** The risk review: on or off, what fails the run, and findings accepted in the settings. */
  risk: {
    review: boolean;
    failOn: RiskSeverity | 'none';
    accepted: RiskAcceptance[];
  };
  /** Whether the rendered content may read cluster Secrets (Helm lookup); false on pull request runs. */
  trusted: boolean;
  /** Credentials for private chart sources, each for one host. */
  chartCredentials: ChartCredential[];
  /** Argo CD sources: `url=dir` repository lines, destinations that are this cluster, whether apply corrects their objects. */
  argocd: { repos: string[]; clusters: string[]; remediate: boolean };
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
