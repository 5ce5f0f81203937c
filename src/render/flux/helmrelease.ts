// Renders one HelmRelease as helm-controller would install it: fetch the chart (a path in
// this repository, a HelmRepository over HTTP or OCI, or a chartRef), compose the values,
// `helm template` with the release name and namespace, then the kustomize post-renderers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../model.ts';
import { type Confinement, confinement, describeViolation, escapes, treeViolations } from '../confine.ts';
import { type HelmRenderContext, helmEnvironment, runHelmTemplate } from '../helm-run.ts';
import { checkKustomization } from '../kustomize-refs.ts';
import { failureMessage, runTool, type ToolRun } from '../tools.ts';
import { type ChartCredential, credentialFor, registryConfigDir } from './chart-credentials.ts';
import { releaseNameOf, type Values } from './values.ts';

export interface HelmReleaseSpec {
  releaseName?: string;
  targetNamespace?: string;
  storageNamespace?: string;
  chart?: {
    spec: {
      chart: string;
      version?: string;
      sourceRef: { kind: string; name: string; namespace?: string };
      valuesFiles?: string[];
    };
  };
  chartRef?: { kind: string; name: string; namespace?: string };
  install?: { crds?: string; disableHooks?: boolean };
  postRenderers?: { kustomize?: { patches?: unknown[]; images?: unknown[] } }[];
}

/** Where a chart comes from, resolved against the sources found in the repository. */
export type ChartLocation =
  | { type: 'dir'; path: string; valuesFiles: string[] }
  | { type: 'repo'; url: string; chart: string; version?: string }
  | {
      type: 'oci';
      ref: string;
      version?: string /** Plain HTTP (Flux's `spec.insecure`). */;
      insecure?: boolean;
    };

/** The chart reference as a user would write it: `oci://host/charts/app:1.2.3`, `https://charts.example/ app 1.2.3`. */
export function chartReference(location: ChartLocation): string {
  if (location.type === 'dir') return location.path;
  const base = location.type === 'repo' ? `${location.url} ${location.chart}` : location.ref;
  if (!location.version) return base;
  return location.type === 'repo' ? `${base} ${location.version}` : `${base}:${location.version}`;
}

export interface HelmTools {
  helm: string;
  kubectl: string;
}

export interface ReleaseRenderOptions {
  /** A chart in the repository is read only when it stays inside this. */
  confine: Confinement;
  /** Private to this render, removed after it. */
  workDir: string;
  offline: boolean;
  helmContext: HelmRenderContext;
  /** Each used only for the host it was given for. */
  credentials: readonly ChartCredential[];
}

/** The chart archive (`.tgz`) fetched into the work directory, or the chart's directory in this repository. */
export async function pullChart(
  location: ChartLocation,
  helm: string,
  options: ReleaseRenderOptions,
): Promise<string> {
  if (location.type === 'dir') return location.path;
  if (options.offline) throw new Error('chart must be fetched, but offline mode is on');
  const { workDir } = options;
  const destination = mkdtempSync(join(workDir, 'chart-'));
  const args =
    location.type === 'repo'
      ? ['pull', location.chart, '--repo', location.url, '--destination', destination]
      : ['pull', location.ref, '--destination', destination];
  if (location.version && location.version !== '*') args.push('--version', location.version);
  if (location.type === 'oci' && location.insecure) args.push('--plain-http');
  const credential = credentialFor(
    options.credentials,
    location.type === 'repo' ? location.url : location.ref,
  );
  const env = helmEnvironment();
  if (location.type === 'repo' && credential)
    args.push('--username', credential.username, '--password', credential.password);
  else if (location.type === 'oci') {
    // Only this host's credential, and no login the runner may hold for other hosts.
    const dir = registryConfigDir(workDir, credential);
    env.HELM_REGISTRY_CONFIG = join(dir, 'config.json');
    env.DOCKER_CONFIG = dir;
  }
  const run = await runTool(helm, args, workDir, env);
  if (credential) run.command = run.command.replaceAll(credential.password, '***');
  if (run.exitCode !== 0)
    throw new Error(`chart ${chartReference(location)} could not be fetched: ${registryFailure(run)}`);
  const [archive] = (await readdir(destination)).filter((name) => name.endsWith('.tgz'));
  if (!archive) throw new Error(`helm pull wrote no chart archive into ${destination}`);
  return join(destination, archive);
}

/** What the registry or repository said, first; then the command, for whoever must reproduce it. */
function registryFailure(run: ToolRun): string {
  const said = run.stderr.trim();
  if (/\b40[13]\b|unauthori[sz]ed|authentication required|credential not found|denied/i.test(said))
    return `unauthorized: the registry wants credentials (${said.split('\n').at(-1)}); ${run.command}`;
  if (/\bnot found\b|\b404\b|no such|not found in|Unable to locate any tags/i.test(said))
    return `not found: ${said.split('\n').at(-1)}; ${run.command}`;
  return failureMessage(run);
}

export interface HelmReleaseInput {
  release: KubeObject & { spec: HelmReleaseSpec };
  chart: ChartLocation;
  values: Values;
}

/** A chart in the repository and its values files stay inside it, symlinks included. */
function checkChartDir(confine: Confinement, chart: ChartLocation & { type: 'dir' }): void {
  const file = `${confine.name(chart.path)}/Chart.yaml`;
  const violations = treeViolations(confine, chart.path, file);
  for (const values of chart.valuesFiles) {
    const reason = escapes(confine, join(chart.path, values));
    if (reason) violations.push({ file, field: 'valuesFiles', path: values, reason });
  }
  if (violations.length > 0)
    throw new Error(violations.map((v) => `${v.file}: ${describeViolation(v)}`).join('\n'));
}

/**
 * Returns the manifest text Flux would apply for the release (post-renderers included). A
 * chart in the repository is read only when it stays inside `confine`.
 */
export async function renderHelmRelease(
  input: HelmReleaseInput,
  tools: HelmTools,
  options: ReleaseRenderOptions,
): Promise<string> {
  const { release, chart, values } = input;
  const { workDir, helmContext } = options;
  const spec = release.spec;
  if (chart.type === 'dir') checkChartDir(options.confine, chart);
  const chartPath = await pullChart(chart, tools.helm, options);
  const valuesFile = join(mkdtempSync(join(workDir, 'values-')), 'values.yaml');
  writeFileSync(valuesFile, stringify(values), { mode: 0o600 });
  const namespace = spec.targetNamespace || release.metadata.namespace || 'default';
  const args = ['template', releaseNameOf({ name: release.metadata.name, ...spec }), chartPath];
  args.push('--namespace', namespace);
  if (chart.type === 'dir')
    for (const file of chart.valuesFiles) args.push('--values', join(chartPath, file));
  args.push('--values', valuesFile);
  // Hooks are not part of the release's manifest; Flux's drift detection leaves them out too.
  args.push('--no-hooks', '--skip-tests');
  // install.crds defaults to Create: CRDs in crds/ are installed.
  if ((spec.install?.crds ?? 'Create') !== 'Skip') args.push('--include-crds');
  const group = `HelmRelease ${release.metadata.namespace || 'default'}/${release.metadata.name}`;
  const run = await runHelmTemplate(tools.helm, args, workDir, group, helmContext);
  if (run.exitCode !== 0) throw new Error(failureMessage(run));
  let manifest = run.stdout;
  for (const renderer of spec.postRenderers ?? []) {
    if (!renderer.kustomize) continue;
    const dir = mkdtempSync(join(workDir, 'post-render-'));
    writeFileSync(join(dir, 'helm-output.yaml'), manifest, { mode: 0o600 });
    const kus: Record<string, unknown> = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['helm-output.yaml'],
    };
    if (renderer.kustomize.patches?.length) kus.patches = renderer.kustomize.patches;
    if (renderer.kustomize.images?.length) kus.images = renderer.kustomize.images;
    writeFileSync(join(dir, 'kustomization.yaml'), stringify(kus));
    // The release's patches may name files (`path:`): only this directory may be read.
    const check = checkKustomization(
      confinement(dir, () => 'postRenderers'),
      dir,
    );
    if (check.violations.length > 0)
      throw new Error(`postRenderers: ${check.violations.map(describeViolation).join('\n')}`);
    const post = await runTool(tools.kubectl, ['kustomize', dir], dir);
    if (post.exitCode !== 0) throw new Error(`postRenderers: ${failureMessage(post)}`);
    manifest = post.stdout;
  }
  return manifest;
}
