// HelmReleases whose charts come from an OCI registry, rendered by renderFlux with the real
// helm against a real registry on loopback (go-containerregistry's, test/support/registry.ts),
// charts pushed with `helm push`: chartRef → OCIRepository by tag, semver range and digest,
// and a HelmRepository of type oci; a missing chart and a registry that wants credentials are
// errors of their release that name the reference.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { type FluxRenderResult, renderFlux } from '../../../src/render/flux/index.ts';
import { findTool } from '../../../src/render/tools.ts';
import { type LocalRegistry, startRegistry } from '../../support/registry.ts';

const fixtures = resolve(import.meta.dirname, '../../fixtures/flux');
const helm = findTool('helm');
const run = promisify(execFile);

let work: string;
let registry: LocalRegistry;
let digest010: string;
let result: FluxRenderResult;
let withCredentials: FluxRenderResult;

/** Packages greeter at `version` (its message names the version) and pushes it with helm push. */
async function pushGreeter(version: string): Promise<string> {
  const chart = join(work, `greeter-${version}`, 'greeter');
  cpSync(join(fixtures, 'helm/charts/greeter'), chart, { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), `apiVersion: v2\nname: greeter\nversion: ${version}\n`);
  writeFileSync(
    join(chart, 'values.yaml'),
    `message: greeter ${version}\nreplicaCount: 1\nimage: busybox:1\n`,
  );
  await run(helm, ['package', chart, '--destination', join(work, 'packages')]);
  const pushed = await run(
    helm,
    [
      'push',
      join(work, 'packages', `greeter-${version}.tgz`),
      `oci://${registry.host}/charts`,
      '--plain-http',
    ],
    { env: { ...process.env, HELM_REGISTRY_CONFIG: join(work, 'registry.json') } },
  );
  const found = /Digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout + pushed.stderr);
  assert.ok(found, `helm push printed no digest: ${pushed.stdout} ${pushed.stderr}`);
  return found[1];
}

const ociRepository = (name: string, url: string, ref: Record<string, string>) => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'OCIRepository',
  metadata: { name, namespace: 'greeter' },
  spec: { interval: '10m', url, insecure: true, ref },
});

const release = (name: string, chart: Record<string, unknown>) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name, namespace: 'greeter' },
  spec: { interval: '10m', ...chart },
});

const chartRef = (name: string) => ({ chartRef: { kind: 'OCIRepository', name } });

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flux-oci-'));
  registry = await startRegistry();
  digest010 = await pushGreeter('0.1.0');
  await pushGreeter('0.2.0');
  await pushGreeter('0.3.0');

  const charts = `oci://${registry.host}/charts`;
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'greeter' } },
    ociRepository('greeter-tag', `${charts}/greeter`, { tag: '0.1.0' }),
    ociRepository('greeter-range', `${charts}/greeter`, { semver: '>=0.1.0 <0.3.0' }),
    ociRepository('greeter-digest', `${charts}/greeter`, { digest: digest010 }),
    ociRepository('absent', `${charts}/absent`, { tag: '1.0.0' }),
    ociRepository('private', `oci://${registry.privateHost}/charts/greeter`, { tag: '0.1.0' }),
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'oci-charts', namespace: 'greeter' },
      spec: { interval: '10m', type: 'oci', url: charts, insecure: true },
    },
    release('by-tag', chartRef('greeter-tag')),
    release('by-range', chartRef('greeter-range')),
    release('by-digest', chartRef('greeter-digest')),
    release('missing', chartRef('absent')),
    release('private', chartRef('private')),
    release('from-repository', {
      chart: {
        spec: {
          chart: 'greeter',
          version: '0.3.0',
          sourceRef: { kind: 'HelmRepository', name: 'oci-charts' },
        },
      },
    }),
  ];
  const dir = join(work, 'repo', 'clusters', 'oci');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci.yaml'), objects.map((o) => JSON.stringify(o)).join('\n---\n'));
  result = await renderFlux({ repoRoot: join(work, 'repo'), paths: ['clusters/oci'] });

  // The same registry behind auth, with credentials given for it, and a release whose source a
  // pull request pointed at another host.
  const privateDir = join(work, 'private', 'clusters', 'oci');
  mkdirSync(privateDir, { recursive: true });
  writeFileSync(
    join(privateDir, 'oci.yaml'),
    [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'greeter' } },
      ociRepository('private', `oci://${registry.privateHost}/charts/greeter`, { tag: '0.1.0' }),
      ociRepository('elsewhere', `oci://${registry.elsewhereHost}/charts/greeter`, { tag: '0.1.0' }),
      release('private', chartRef('private')),
      release('elsewhere', chartRef('elsewhere')),
    ]
      .map((o) => JSON.stringify(o))
      .join('\n---\n'),
  );
  const { username, password } = registry.credentials;
  withCredentials = await renderFlux({
    repoRoot: join(work, 'private'),
    paths: ['clusters/oci'],
    chartCredentials: [{ host: registry.privateHost, username, password }],
  });
});

after(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function message(name: string): string | undefined {
  const found = result.objects.find(
    (o) => o.group === `HelmRelease greeter/${name}` && o.object.kind === 'ConfigMap',
  );
  return (found?.object.data as Record<string, string> | undefined)?.message;
}

test('chartRef to an OCIRepository: by tag, by semver range, by digest', () => {
  assert.equal(message('by-tag'), 'greeter 0.1.0');
  assert.equal(message('by-range'), 'greeter 0.2.0');
  assert.equal(message('by-digest'), 'greeter 0.1.0');
});

test('a HelmRepository of type oci', () => {
  assert.equal(message('from-repository'), 'greeter 0.3.0');
  const objects = result.objects.filter((o) => o.group === 'HelmRelease greeter/from-repository');
  assert.deepEqual(objects.map((o) => o.object.kind).sort(), ['ConfigMap', 'Deployment']);
});

test('a chart not in the registry and a registry that wants credentials are errors of their release', () => {
  assert.deepEqual(
    result.errors.map((e) => e.group),
    ['HelmRelease greeter/missing', 'HelmRelease greeter/private'],
  );
  const [missing, unauthorized] = result.errors.map((e) => e.message);
  assert.ok(
    missing.startsWith(`chart oci://${registry.host}/charts/absent:1.0.0 could not be fetched: not found: `),
    missing,
  );
  assert.ok(
    unauthorized.startsWith(
      `chart oci://${registry.privateHost}/charts/greeter:0.1.0 could not be fetched: unauthorized: `,
    ),
    unauthorized,
  );
});

test('credentials reach the registry they were given for, and no other host', () => {
  const configMap = withCredentials.objects.find(
    (o) => o.group === 'HelmRelease greeter/private' && o.object.kind === 'ConfigMap',
  );
  assert.deepEqual(configMap?.object.data, { message: 'greeter 0.1.0' });
  assert.ok((registry.authorizations.get(registry.privateHost) ?? []).length > 0);
  assert.deepEqual(registry.authorizations.get(registry.elsewhereHost), []);
  assert.deepEqual(
    withCredentials.errors.map((e) => e.group),
    ['HelmRelease greeter/elsewhere'],
  );
  assert.match(withCredentials.errors[0].message, /could not be fetched: unauthorized: /);
  assert.ok(!withCredentials.errors[0].message.includes(registry.credentials.password));
});
