// One HelmRelease rendered into desired objects, with helm-controller's labels. On untrusted
// runs, a release that takes values from a Secret decrypted with SOPS is rendered with
// stand-ins for them too, and what changes with them is shown by identity only.
import type { DesiredObject } from '../../model.ts';
import { HelmRenderContext } from '../helm-run.ts';
import { collectManifests } from '../manifests.ts';
import { findTool } from '../tools.ts';
import { locateChart } from './chart-location.ts';
import { type ChartLocation, type HelmReleaseSpec, renderHelmRelease } from './helmrelease.ts';
import { type FluxRenderState, HELM_GROUP, namespaceOf, sourceRoot } from './state.ts';
import type { FluxIgnoreRule, FluxObject } from './types.ts';
import { compareReleaseRenders, notComparedNote, STAND_INS, standInData } from './untrusted.ts';
import { composeValues, type Values, type ValuesReference } from './values.ts';

type DataLookup = (kind: string, name: string) => Record<string, string> | undefined;

export async function renderRelease(
  state: FluxRenderState,
  node: { id: string; object: FluxObject; dependsOn: string[] },
): Promise<void> {
  const { id, object, dependsOn } = node;
  const group = `HelmRelease ${id}`;
  const spec = (object.spec ?? {}) as HelmReleaseSpec & Record<string, unknown>;
  const driftDetection = spec.driftDetection as { mode?: string; ignore?: FluxIgnoreRule[] } | undefined;
  const namespace = namespaceOf(object);
  state.result.groups.push({
    name: group,
    kind: 'HelmRelease',
    namespace,
    suspended: spec.suspend === true,
    dependsOn: dependsOn.map((dep) => `HelmRelease ${dep}`),
    ignore: driftDetection?.ignore,
    ignoreOrigin: `${group} spec.driftDetection.ignore`,
    driftDetection: driftDetection?.mode,
  });
  try {
    const chart = locateChart(spec, namespace, state.sources, (ref, ns) => sourceRoot(state, ref, ns));
    const render = (lookup: DataLookup) => renderOnce(state, object, chart, lookup, group);
    const real: DataLookup = (kind, name) => state.configData.get(`${kind}/${namespace}/${name}`);
    const decrypted = state.options.untrusted
      ? ((spec.valuesFrom as ValuesReference[] | undefined) ?? [])
          .map((ref) => `${ref.kind}/${namespace}/${ref.name}`)
          .filter((subject) => state.decryptedData.has(subject))
      : [];
    if (decrypted.length === 0) {
      state.result.objects.push(...(await render(real)));
      return;
    }
    const note = notComparedNote(decrypted);
    const objects = await render(real).catch(() => {
      // Its message may quote the values, transformed.
      throw new Error(
        `the chart fails with the values decrypted from ${decrypted.join(', ')}; the message is not shown on an untrusted run`,
      );
    });
    const standIns: DesiredObject[][] = [];
    for (const which of STAND_INS) {
      const lookup: DataLookup = (kind, name) => {
        const data = real(kind, name);
        const decryptedData = data && decrypted.includes(`${kind}/${namespace}/${name}`);
        return decryptedData ? standInData(data, which) : data;
      };
      standIns.push(
        await render(lookup).catch((error: Error) => {
          throw new Error(
            `${note}, and the chart does not render with stand-ins for them, so what it makes of them cannot be told apart: render it on a trusted run (${error.message})`,
          );
        }),
      );
    }
    state.result.objects.push(...compareReleaseRenders(objects, standIns, note));
  } catch (error) {
    state.result.errors.push({ group, message: error instanceof Error ? error.message : String(error) });
  }
}

/** helm template with the values `lookup` gives, then helm-controller's namespace and labels. */
async function renderOnce(
  state: FluxRenderState,
  object: FluxObject,
  chart: ChartLocation,
  lookup: DataLookup,
  group: string,
): Promise<DesiredObject[]> {
  const spec = (object.spec ?? {}) as HelmReleaseSpec & Record<string, unknown>;
  const namespace = namespaceOf(object);
  const values = composeValues(
    (spec.valuesFrom as ValuesReference[] | undefined) ?? [],
    spec.values as Values | undefined,
    lookup,
  );
  const { options } = state;
  const manifest = await renderHelmRelease(
    { release: object as FluxObject & { spec: HelmReleaseSpec }, chart, values },
    { helm: options.tools?.helm ?? findTool('helm'), kubectl: state.kubectl },
    {
      workDir: state.work,
      offline: !!options.offline,
      helmContext: options.helmContext ?? new HelmRenderContext(),
      credentials: options.chartCredentials ?? [],
      confine: state.confine,
    },
  );
  const file =
    chart.type === 'dir'
      ? `${state.checkoutFile(chart.path)}/Chart.yaml`
      : `HelmRelease/${namespace}/${object.metadata.name}`;
  const parsed = collectManifests(manifest, file, { group });
  if (parsed.problems.length > 0)
    throw new Error(parsed.problems.map((problem) => problem.message).join('; '));
  // helm template leaves namespace out of objects whose templates omit it; Helm installs
  // them in the release namespace. helm-controller's post-renderers then add
  // spec.commonMetadata, and last label every object with the release it came from.
  const common = spec.commonMetadata as
    | { labels?: Record<string, string>; annotations?: Record<string, string> }
    | undefined;
  for (const desired of parsed.objects) {
    const metadata = desired.object.metadata;
    metadata.namespace ??= spec.targetNamespace || namespace;
    if (common?.annotations) metadata.annotations = { ...metadata.annotations, ...common.annotations };
    metadata.labels = {
      ...metadata.labels,
      ...common?.labels,
      [`${HELM_GROUP}/name`]: object.metadata.name,
      [`${HELM_GROUP}/namespace`]: namespace,
    };
  }
  return parsed.objects;
}
