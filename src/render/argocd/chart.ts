// An Application whose source is a Helm chart from a chart repository (https) or an OCI
// registry (`oci://`, or a registry host with no scheme): fetched as Flux HelmReleases fetch
// charts (host-bound credentials), unpacked, then rendered with the Application's helm options.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredObject } from '../../model.ts';
import { confinement } from '../confine.ts';
import { type ChartLocation, chartReference, pullChart } from '../flux/helmrelease.ts';
import { HelmRenderContext } from '../helm-run.ts';
import type { ParsedManifests } from '../manifests.ts';
import { failureMessage, findTool, runTool } from '../tools.ts';
import type { SourceContext } from './source.ts';
import { renderHelm } from './source.ts';
import type { Application, ApplicationSource } from './types.ts';

/** Loopback registries are spoken to over plain HTTP, as Docker and containerd treat them. */
function loopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * Where Argo CD's repo-server fetches the chart of a source: `https://` (or `http://`) is a
 * chart repository's index, `oci://host/path` or a bare `host/path` an OCI registry holding
 * `<path>/<chart>`. `targetRevision` is the chart version (a range or `*` as helm takes it).
 */
export function chartLocation(source: ApplicationSource & { chart: string }): ChartLocation {
  const url = (source.repoURL ?? '').trim();
  const version = source.targetRevision?.trim() || undefined;
  if (/^https?:\/\//.test(url)) return { type: 'repo', url, chart: source.chart, version };
  const base = url.replace(/^oci:\/\//, '').replace(/\/+$/, '');
  const host = base.split('/')[0];
  return { type: 'oci', ref: `oci://${base}/${source.chart}`, version, insecure: loopback(host) };
}

/** The objects of the chart, each sourced at `Application/<namespace>/<name>` (the chart is not in the repository). */
export async function renderChartSource(
  ctx: SourceContext,
  app: Application,
  source: ApplicationSource & { chart: string },
  group: string,
  refs: ReadonlyMap<string, string>,
): Promise<ParsedManifests> {
  const file = `Application/${app.metadata.namespace || 'argocd'}/${app.metadata.name}`;
  if (!source.repoURL)
    return { objects: [], problems: [{ file, message: `${group}: chart ${source.chart} has no repoURL` }] };
  const location = chartLocation(source);
  const helm = ctx.tools?.helm ?? findTool('helm');
  const work = mkdtempSync(join(ctx.scratch, 'chart-'));
  let archive: string;
  try {
    archive = await pullChart(location, helm, {
      workDir: work,
      offline: ctx.offline === true,
      credentials: ctx.chartCredentials ?? [],
      confine: confinement(work),
      helmContext: ctx.helmContext ?? new HelmRenderContext(),
    });
  } catch (error) {
    return { objects: [], problems: [{ file, message: `${group}: ${(error as Error).message}` }] };
  }
  const root = mkdtempSync(join(work, 'unpacked-'));
  const untar = await runTool('tar', ['-xzf', archive, '-C', root], work);
  if (untar.exitCode !== 0)
    return {
      objects: [],
      problems: [{ file, message: `${group}: ${chartReference(location)}: ${failureMessage(untar)}` }],
    };
  const parsed = await renderHelm(ctx, app, source, {
    dir: join(root, source.chart.split('/').at(-1) as string),
    confine: confinement(root),
    group,
    refs,
    root,
  });
  const relocate = (d: DesiredObject): DesiredObject => ({ ...d, source: { file, line: 1 } });
  return {
    objects: parsed.objects.map(relocate),
    problems: parsed.problems.map((p) => ({
      ...p,
      file,
      message: `${chartReference(location)}: ${p.message}`,
    })),
  };
}
