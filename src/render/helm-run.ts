// Runs `helm template` as helm-controller renders: with the target cluster's capabilities and
// with `lookup` answered by the cluster through kube-drift, never with the cluster's credentials.
import { describeError } from '../errors.ts';
import { displayCommand, runTool, type ToolRun, toolEnvironment } from './tools.ts';

export interface HelmLookupSession {
  /** A kubeconfig that reaches kube-drift's read-only endpoint, not the cluster. */
  kubeconfig: string;
  readonly secretsHidden: number;
  readonly forbidden: string[];
  close(): Promise<void>;
}

/** The cluster as Helm may see it; implemented over the connection (src/kube/helm-cluster.ts). */
export interface HelmClusterView {
  capabilities(): Promise<HelmCapabilities>;
  openLookup(): Promise<HelmLookupSession>;
}

export interface HelmCapabilities {
  kubeVersion: string;
  apiVersions: string[];
}

/** What the helm runs of one render left to tell: per-group report notes and log warnings. */
export class HelmRenderContext {
  readonly cluster?: HelmClusterView;
  /** group → note, once per release. */
  readonly notes = new Map<string, string>();
  readonly warnings: string[] = [];
  /** Charts rendered; with no cluster, each was rendered with helm's defaults. */
  charts = 0;

  constructor(cluster?: HelmClusterView) {
    this.cluster = cluster;
  }

  /** Each warning once, however many charts run into it. */
  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** The warning a run without a cluster ends with, when it rendered charts. */
  offlineWarning(): string | undefined {
    if (this.cluster || this.charts === 0) return undefined;
    return `${this.charts} Helm chart(s) rendered without the cluster: .Capabilities are helm's defaults and lookup finds nothing, so objects may differ from what diff and apply render`;
  }
}

export const SECRETS_HIDDEN_NOTE =
  'lookup of Secrets answered "not found": this run renders a pull request, whose charts may not read cluster Secrets; Secrets the chart generates (and checksums of them) may differ for that reason only';

// Variables through which helm would find credentials other than the kubeconfig it is given.
const CLUSTER_ENV = /^(KUBECONFIG|HELM_KUBE[A-Z_]*|KUBERNETES_SERVICE_[A-Z_]+)$/;

/** The environment for helm: the minimal one of every tool, less anything that points at a cluster. */
export function helmEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(toolEnvironment(env)).filter(([name]) => !CLUSTER_ENV.test(name)));
}

export function capabilityArgs(capabilities: HelmCapabilities): string[] {
  const args = ['--kube-version', capabilities.kubeVersion];
  if (capabilities.apiVersions.length > 0) args.push('--api-versions', capabilities.apiVersions.join(','));
  return args;
}

/** The command as shown in messages: the API versions list is hundreds of entries long, the kubeconfig gone. */
function shown(binary: string, args: string[], run: ToolRun): ToolRun {
  const short = args.map((arg, i) =>
    args[i - 1] === '--api-versions'
      ? `<${arg.split(',').length} API versions of the cluster>`
      : args[i - 1] === '--kubeconfig'
        ? '<kube-drift lookup endpoint>'
        : arg,
  );
  return { ...run, command: displayCommand(binary, short) };
}

/**
 * `helm template …` for `group` (a chart path or `HelmRelease ns/name`). With a cluster, lookup
 * goes through a session of the read-only endpoint; when the cluster refuses a read (403) the
 * chart is rendered again without lookup, with a warning.
 */
export async function runHelmTemplate(
  binary: string,
  templateArgs: string[],
  cwd: string,
  group: string,
  ctx: HelmRenderContext,
): Promise<ToolRun> {
  ctx.charts++;
  const env = helmEnvironment();
  const cluster = ctx.cluster;
  if (!cluster) return runTool(binary, templateArgs, cwd, env);
  let offlineArgs: string[];
  let session: HelmLookupSession;
  try {
    offlineArgs = [...templateArgs, ...capabilityArgs(await cluster.capabilities())];
    session = await cluster.openLookup();
  } catch (error) {
    ctx.warn(
      `Helm charts render without the cluster (helm's default capabilities, no lookup): ${describeError(error)}`,
    );
    return runTool(binary, templateArgs, cwd, env);
  }
  let run: ToolRun;
  try {
    const args = [...offlineArgs, '--dry-run=server', '--kubeconfig', session.kubeconfig];
    run = shown(binary, args, await runTool(binary, args, cwd, env));
  } finally {
    await session.close();
  }
  if (session.secretsHidden > 0) ctx.notes.set(group, SECRETS_HIDDEN_NOTE);
  if (run.exitCode === 0 || session.forbidden.length === 0) return run;
  ctx.warn(
    `${group}: the credentials may not read ${[...new Set(session.forbidden)].join(', ')} (403), so lookup could not be answered; rendered without lookup, as helm template does offline`,
  );
  return shown(binary, offlineArgs, await runTool(binary, offlineArgs, cwd, env));
}
