// Where a HelmRelease's chart comes from, resolved against the sources the repository
// declares: a path in this repository, a HelmRepository (HTTP or OCI), or a chartRef.
import { join } from 'node:path';
import type { ChartLocation, HelmReleaseSpec } from './helmrelease.ts';
import type { FluxObject } from './types.ts';

export function locateChart(
  spec: HelmReleaseSpec,
  namespace: string,
  sources: Map<string, FluxObject>,
  sourceRoot: (
    ref: { kind: string; name: string; namespace?: string },
    namespace: string,
  ) => string | undefined,
): ChartLocation {
  const source = (kind: string, name: string, ns?: string) => {
    const found = sources.get(`${kind}/${ns || namespace}/${name}`);
    if (!found)
      throw new Error(
        `${kind}/${ns || namespace}/${name} was not found among the objects rendered from the repository`,
      );
    return found;
  };
  if (spec.chartRef) {
    const ref = spec.chartRef;
    const found = source(ref.kind, ref.name, ref.namespace);
    if (ref.kind === 'OCIRepository') {
      const s = found.spec as {
        url: string;
        insecure?: boolean;
        ref?: { tag?: string; semver?: string; digest?: string };
      };
      // As source-controller: a digest wins over a semver range, a range over a tag.
      if (s.ref?.digest) return { type: 'oci', ref: `${s.url}@${s.ref.digest}`, insecure: s.insecure };
      return { type: 'oci', ref: s.url, version: s.ref?.semver ?? s.ref?.tag, insecure: s.insecure };
    }
    if (ref.kind === 'HelmChart') {
      const chartSpec = found.spec as NonNullable<HelmReleaseSpec['chart']>['spec'];
      return locateChart(
        { chart: { spec: chartSpec } },
        found.metadata.namespace || namespace,
        sources,
        sourceRoot,
      );
    }
    throw new Error(`chartRef kind ${ref.kind} is not supported`);
  }
  if (!spec.chart) throw new Error('HelmRelease has neither spec.chart nor spec.chartRef');
  const chartSpec = spec.chart.spec;
  const ref = chartSpec.sourceRef;
  if (ref.kind === 'GitRepository') {
    const root = sourceRoot(ref, namespace);
    if (root === undefined)
      throw new Error(
        `sourceRef GitRepository/${ref.namespace || namespace}/${ref.name} is not this repository`,
      );
    return { type: 'dir', path: join(root, chartSpec.chart), valuesFiles: chartSpec.valuesFiles ?? [] };
  }
  if (ref.kind === 'HelmRepository') {
    const repo = source('HelmRepository', ref.name, ref.namespace).spec as {
      url: string;
      type?: string;
      insecure?: boolean;
    };
    if (repo.type === 'oci' || repo.url.startsWith('oci://')) {
      return {
        type: 'oci',
        ref: `${repo.url.replace(/\/$/, '')}/${chartSpec.chart}`,
        version: chartSpec.version,
        insecure: repo.insecure,
      };
    }
    return { type: 'repo', url: repo.url, chart: chartSpec.chart, version: chartSpec.version };
  }
  throw new Error(`chart sourceRef kind ${ref.kind} is not supported`);
}
