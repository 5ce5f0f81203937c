// HelmRelease spec.driftDetection against the local control plane, with Flux's CRDs installed:
// one release per mode (absent, disabled, warn, enabled with ignore rules), each drifted by
// hand the same way; the report and the apply must follow each release's own settings.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { KubeObject } from '../../../src/model.ts';
import { renderFlux } from '../../../src/render/flux/index.ts';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectl, kubectlOk, REPO_ROOT } from '../../support/cluster.ts';

const PATH = 'test/fixtures/flux/drift-detection/clusters/dd';
const NS = 'dd-releases';
const RELEASES = ['absent', 'disabled', 'warn', 'enabled'];

interface JsonEntry {
  kind: string;
  name: string;
  action: string;
  group?: string;
  note?: string;
  changes: { path: string; before?: unknown; after?: unknown }[];
}

async function run(
  command: 'diff' | 'apply',
): Promise<{ code: number; entries: JsonEntry[]; all: JsonEntry[] }> {
  // A target of its own: the inventory of the default target belongs to whichever checkout applied it.
  const cli = await runCli([
    command,
    '--path',
    PATH,
    '--kubeconfig',
    kubeconfigPath(),
    '--target',
    'drift-detection',
    '-o',
    'json',
  ]);
  assert.ok(cli.stdout.startsWith('{'), `expected a JSON report, got: ${cli.stdout} ${cli.stderr}`);
  const report = JSON.parse(cli.stdout) as { entries: JsonEntry[]; errors: { message: string }[] };
  assert.deepEqual(report.errors, []);
  return {
    code: cli.code,
    entries: report.entries.filter((e) => e.kind === 'ConfigMap'),
    all: report.entries,
  };
}

/** `name action [paths]: note` for each ConfigMap of the releases, sorted. */
function summary(entries: JsonEntry[]): string[] {
  return entries
    .map((e) => {
      const paths = e.changes.map((c) => c.path).join(' ');
      return `${e.name} ${e.action}${paths ? ` ${paths}` : ''}${e.note ? `: ${e.note}` : ''}`;
    })
    .sort();
}

async function data(name: string): Promise<Record<string, string>> {
  return JSON.parse(await kubectlOk(['-n', NS, 'get', 'configmap', name, '-o', 'jsonpath={.data}']));
}

async function driftAll(): Promise<void> {
  for (const release of RELEASES) {
    const patch = JSON.stringify({ data: { message: 'by-hand', tuned: '7' } });
    await kubectlOk(['-n', NS, 'patch', 'configmap', `${release}-settings`, '--type=merge', '-p', patch]);
    const scratch = JSON.stringify({ data: { note: 'by-hand' } });
    await kubectlOk(['-n', NS, 'patch', 'configmap', `${release}-scratch`, '--type=merge', '-p', scratch]);
  }
}

describe('HelmRelease spec.driftDetection', { timeout: 300_000 }, () => {
  before(async () => {
    const crds = execFileSync(join(REPO_ROOT, 'tools/flux-crds.sh'), { encoding: 'utf8' }).trim();
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
    const rendered = await renderFlux({ repoRoot: REPO_ROOT, paths: [PATH] });
    assert.deepEqual(rendered.errors, []);
    const yaml = (list: KubeObject[]) => list.map((o) => stringify(o)).join('---\n');
    const namespaces: KubeObject[] = [NS, 'flux-system'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    }));
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: yaml(namespaces) });
    await kubectlOk(['apply', '--server-side', '-f', '-'], {
      input: yaml(rendered.objects.map((o) => o.object)),
    });
  });
  after(async () => {
    await kubectl(['-n', 'flux-system', 'delete', 'kustomization', 'dd-root', '--ignore-not-found']);
    await kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
  });

  it('renders spec.commonMetadata on every object of the release, origin labels last', async () => {
    const { objects } = await renderFlux({ repoRoot: REPO_ROOT, paths: [PATH] });
    const settings = objects.find((o) => o.object.metadata.name === 'absent-settings')?.object;
    assert.deepEqual(settings?.metadata.labels, {
      team: 'payments',
      'helm.toolkit.fluxcd.io/name': 'absent',
      'helm.toolkit.fluxcd.io/namespace': NS,
    });
    assert.deepEqual(settings?.metadata.annotations, { owner: 'payments@example.com' });
    const other = objects.find((o) => o.object.metadata.name === 'warn-settings')?.object;
    assert.equal(other?.metadata.labels?.team, undefined);
  });

  it('skips a release whose mode is disabled, and diffs the others in sync', async () => {
    const { code, entries } = await run('diff');
    const skipped = 'has spec.driftDetection.mode: disabled';
    assert.deepEqual(summary(entries), [
      'absent-scratch unchanged',
      'absent-settings unchanged',
      `disabled-scratch skipped: HelmRelease ${NS}/disabled ${skipped}`,
      `disabled-settings skipped: HelmRelease ${NS}/disabled ${skipped}`,
      `enabled-scratch skipped: an ignore rule of HelmRelease ${NS}/enabled ignores the whole object`,
      'enabled-settings unchanged',
      'warn-scratch unchanged',
      'warn-settings unchanged',
    ]);
    assert.equal(code, 0);
  });

  it('reports drift in modes absent, warn and enabled; ignore rules act on their own release only', async () => {
    await driftAll();
    // Ignored by the Kustomization's spec.ignore (a hand-made label would otherwise be drift).
    await kubectlOk(['label', 'namespace', NS, 'tier=gold']);
    const { code, entries, all } = await run('diff');
    assert.equal(all.find((e) => e.kind === 'Namespace' && e.name === NS)?.action, 'unchanged');
    assert.deepEqual(summary(entries), [
      'absent-scratch configured /data/note',
      'absent-settings configured /data/message /data/tuned',
      `disabled-scratch skipped: HelmRelease ${NS}/disabled has spec.driftDetection.mode: disabled`,
      `disabled-settings skipped: HelmRelease ${NS}/disabled has spec.driftDetection.mode: disabled`,
      `enabled-scratch skipped: an ignore rule of HelmRelease ${NS}/enabled ignores the whole object`,
      'enabled-settings configured /data/message',
      'warn-scratch configured /data/note',
      'warn-settings configured /data/message /data/tuned',
    ]);
    assert.equal(code, 1);
  });

  it('apply corrects modes absent and enabled, leaves warn reported and ignored fields as they are', async () => {
    const { code } = await run('apply');
    assert.equal(code, 1, 'drift remains: the warn release is not corrected');
    assert.deepEqual(await data('absent-settings'), { message: 'from-git', tuned: '1' });
    // The ignored key keeps its live value; the rest of the object is corrected.
    assert.deepEqual(await data('enabled-settings'), { message: 'from-git', tuned: '7' });
    assert.deepEqual(await data('enabled-scratch'), { note: 'by-hand' });
    assert.deepEqual(await data('warn-settings'), { message: 'by-hand', tuned: '7' });
    assert.deepEqual(await data('disabled-settings'), { message: 'by-hand', tuned: '7' });
    const { entries } = await run('diff');
    assert.deepEqual(
      summary(entries).filter((line) => line.includes(' configured')),
      ['warn-scratch configured /data/note', 'warn-settings configured /data/message /data/tuned'],
    );
  });
});
