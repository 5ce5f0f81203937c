// HelmReleases rendered by renderFlux against the real helm binary: a chart in the
// repository (with valuesFrom and post-renderers) and charts from a HelmRepository served
// over HTTP on loopback by this test. Each must equal `helm template` with the same inputs.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../src/model.ts';
import { type FluxRenderResult, renderFlux } from '../../../src/render/flux/index.ts';
import { findTool } from '../../../src/render/tools.ts';

const fixtures = resolve(import.meta.dirname, '../../fixtures/flux');
// helm is built by tools/cluster/build.sh; a missing helm fails these tests (findTool says how to get it).
const helm = findTool('helm');

let work: string;
let server: Server;
let repoUrl: string;
const served: string[] = [];

/** Asynchronous, because the chart repository is served from this same process. */
async function helmTemplate(args: string[]): Promise<KubeObject[]> {
  assert.ok(helm);
  const { stdout: text } = await promisify(execFile)(
    helm,
    ['template', ...args, '--no-hooks', '--skip-tests', '--include-crds'],
    { encoding: 'utf8', cwd: work },
  );
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/** What helm-controller adds to `helm template`'s output: the release namespace where templates leave it out, and its origin labels. */
function asInstalled(
  objects: KubeObject[],
  release: string,
  namespace: string,
  targetNamespace = namespace,
): KubeObject[] {
  return objects.map((object) => ({
    ...object,
    metadata: {
      ...object.metadata,
      namespace: object.metadata.namespace ?? targetNamespace,
      labels: {
        ...object.metadata.labels,
        'helm.toolkit.fluxcd.io/name': release,
        'helm.toolkit.fluxcd.io/namespace': namespace,
      },
    },
  }));
}

function groupObjects(result: FluxRenderResult, group: string): KubeObject[] {
  return result.objects.filter((o) => o.group === group).map((o) => o.object);
}

function valuesFile(name: string, values: string): string {
  const file = join(work, name);
  writeFileSync(file, values);
  return file;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flux-helm-'));
  // The chart repository: greeter 0.1.0 and 0.2.0, packaged and indexed by helm.
  const charts = join(work, 'served');
  for (const version of ['0.1.0', '0.2.0']) {
    const chart = join(work, `greeter-${version}`, 'greeter');
    cpSync(join(fixtures, 'helm/charts/greeter'), chart, { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), `apiVersion: v2\nname: greeter\nversion: ${version}\n`);
    execFileSync(helm, ['package', chart, '--destination', charts]);
  }
  execFileSync(helm, ['repo', 'index', charts]);
  server = createServer((request, response) => {
    served.push(request.url ?? '');
    const file = join(charts, (request.url ?? '/').replace(/^\/+/, ''));
    if (!file.startsWith(charts) || !existsSync(file) || file === charts) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200);
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  repoUrl = `http://127.0.0.1:${address.port}`;
  // A port nothing listens on: bind one, note it, close it.
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise((done) => closed.close(done));

  const repo = join(work, 'repo');
  cpSync(join(fixtures, 'helm'), repo, { recursive: true });
  writeFileSync(
    join(repo, 'clusters/helm/repositories.yaml'),
    [
      ['local', repoUrl],
      ['down', `http://127.0.0.1:${closedPort}`],
    ]
      .map(
        ([name, url]) =>
          `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: ${url}\n`,
      )
      .join('---\n')
      .concat(
        '---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: greeter-pinned\n  namespace: flux-system\nspec:\n  interval: 1h\n  chart: greeter\n  version: 0.1.0\n  sourceRef:\n    kind: HelmRepository\n    name: local\n',
      ),
  );
});

after(() => {
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

let rendered: Promise<FluxRenderResult> | undefined;
const renderHelmFixture = () => {
  rendered ??= renderFlux({ repoRoot: join(work, 'repo'), paths: ['clusters/helm'] });
  return rendered;
};

test('a chart that cannot be fetched is an error for that release only', async () => {
  const result = await renderHelmFixture();
  assert.deepEqual(
    result.errors.map((error) => error.group),
    ['HelmRelease greeter/absent', 'HelmRelease greeter/unreachable'],
  );
  for (const error of result.errors)
    assert.match(error.message, /^chart http:\/\/127\.0\.0\.1:\d+ \S+ could not be fetched: /);
  assert.match(
    result.errors[0].message,
    /^chart http:\/\/127\.0\.0\.1:\d+ no-such-chart could not be fetched: not found: /,
  );
  assert.match(result.errors[1].message, /127\.0\.0\.1/);
  // The other releases rendered.
  for (const group of [
    'HelmRelease greeter/patched',
    'HelmRelease greeter/remote',
    'HelmRelease greeter/latest',
  ]) {
    assert.equal(groupObjects(result, group).length, 2, group);
  }
});

test('HelmRelease from a HelmRepository: the requested version, targetNamespace, equal to helm template --repo', async () => {
  const result = await renderHelmFixture();
  const values = valuesFile('remote-values.yaml', 'message: from-repository\n');
  const expected = await helmTemplate([
    'web-remote',
    'greeter',
    '--repo',
    repoUrl,
    '--version',
    '0.2.0',
    '--namespace',
    'web',
    '--values',
    values,
  ]);
  const objects = groupObjects(result, 'HelmRelease greeter/remote');
  assert.deepEqual(objects, asInstalled(expected, 'remote', 'greeter', 'web'));
  const deployment = objects.find((o) => o.kind === 'Deployment');
  assert.equal(deployment?.metadata.name, 'web-remote');
  assert.equal(deployment?.metadata.labels?.['chart-version'], '0.2.0');
  assert.ok(served.includes('/greeter-0.2.0.tgz'), `served: ${served.join(', ')}`);
  // No version means the newest in the index.
  const latest = groupObjects(result, 'HelmRelease greeter/latest').find((o) => o.kind === 'Deployment');
  assert.equal(latest?.metadata.labels?.['chart-version'], '0.2.0');
  assert.equal(latest?.metadata.namespace, 'greeter');
});

test("HelmRelease through chartRef to a HelmChart: the HelmChart's chart and version", async () => {
  const result = await renderHelmFixture();
  const values = valuesFile('viaref-values.yaml', 'message: through-chartref\n');
  const expected = await helmTemplate([
    'viaref',
    'greeter',
    '--repo',
    repoUrl,
    '--version',
    '0.1.0',
    '--namespace',
    'greeter',
    '--values',
    values,
  ]);
  const objects = groupObjects(result, 'HelmRelease greeter/viaref');
  assert.deepEqual(objects, asInstalled(expected, 'viaref', 'greeter', 'greeter'));
  assert.equal(objects.find((o) => o.kind === 'Deployment')?.metadata.labels?.['chart-version'], '0.1.0');
});

test('HelmRelease with post-renderers: helm template, then the kustomize patches and images', async () => {
  const result = await renderHelmFixture();
  const values = valuesFile('patched-values.yaml', 'message: patched\n');
  const expected = asInstalled(
    await helmTemplate([
      'patched',
      join(work, 'repo/charts/greeter'),
      '--namespace',
      'greeter',
      '--values',
      values,
    ]),
    'patched',
    'greeter',
  );
  const deployment = expected.find((o) => o.kind === 'Deployment') as KubeObject & {
    spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  };
  deployment.spec.replicas = 4;
  deployment.spec.template.spec.containers[0].image = 'ghcr.io/stefanprodan/podinfo:6.7.0';
  const configMap = expected.find((o) => o.kind === 'ConfigMap') as KubeObject;
  configMap.metadata.labels = { 'post-rendered': 'true', ...configMap.metadata.labels };
  const objects = groupObjects(result, 'HelmRelease greeter/patched');
  const byKind = (list: KubeObject[]) => [...list].sort((a, b) => a.kind.localeCompare(b.kind));
  assert.deepEqual(byKind(objects), byKind(expected));
  // The test hook is not part of the release's manifest.
  assert.equal(result.objects.filter((o) => o.object.kind === 'Pod').length, 0);
});

test('HelmRelease from a chart in the repository with valuesFrom (targetPath): equal to helm template', async () => {
  const production = join(fixtures, 'production');
  const result = await renderFlux({ repoRoot: production, paths: ['clusters/production'], offline: true });
  assert.deepEqual(result.errors, []);
  // valuesFrom values.yaml, then replicas at targetPath replicaCount (a --set string), then inline values.
  const values = valuesFile('hello-values.yaml', 'greeting: from-configmap\ncolor: green\nreplicaCount: 3\n');
  const expected = await helmTemplate([
    'hello',
    join(production, 'charts/hello'),
    '--namespace',
    'podinfo',
    '--values',
    values,
  ]);
  assert.deepEqual(
    groupObjects(result, 'HelmRelease podinfo/hello'),
    asInstalled(expected, 'hello', 'podinfo'),
  );
});
