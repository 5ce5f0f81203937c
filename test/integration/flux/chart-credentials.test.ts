// A private HTTP chart repository (basic auth, served on loopback by this test, charts
// packaged and indexed by the real helm): the credentials given for its host fetch the chart;
// a HelmRepository that a pull request points at another host is fetched with none.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { type FluxRenderResult, renderFlux } from '../../../src/render/flux/index.ts';
import { findTool } from '../../../src/render/tools.ts';

const fixtures = resolve(import.meta.dirname, '../../fixtures/flux');
const helm = findTool('helm');
const USER = 'charts';
const PASSWORD = 'http-repo-password-for-tests';

let work: string;
const servers: Server[] = [];
/** Authorization headers each repository received, by host. */
const seen = new Map<string, string[]>();
let result: FluxRenderResult;

/** A chart repository on loopback that serves `dir` only with the credentials. */
async function privateRepository(dir: string): Promise<string> {
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const received: string[] = [];
  const server = createServer((request, response) => {
    if (request.headers.authorization) received.push(request.headers.authorization);
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="charts"' }).end();
      return;
    }
    const file = join(dir, (request.url ?? '/').replace(/^\/+/, ''));
    if (!file.startsWith(dir) || file === dir || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200);
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  servers.push(server);
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  seen.set(host, received);
  return host;
}

const repository = (name: string, host: string) =>
  JSON.stringify({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name, namespace: 'greeter' },
    spec: { interval: '10m', url: `http://${host}` },
  });

const release = (name: string, repo: string) =>
  JSON.stringify({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'greeter' },
    spec: {
      interval: '10m',
      chart: {
        spec: { chart: 'greeter', version: '0.1.0', sourceRef: { kind: 'HelmRepository', name: repo } },
      },
    },
  });

let trusted: string;
let elsewhere: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flux-private-'));
  const served = join(work, 'served');
  const chart = join(work, 'greeter');
  cpSync(join(fixtures, 'helm/charts/greeter'), chart, { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: greeter\nversion: 0.1.0\n');
  execFileSync(helm, ['package', chart, '--destination', served]);
  execFileSync(helm, ['repo', 'index', served]);
  trusted = await privateRepository(served);
  elsewhere = await privateRepository(served);

  const dir = join(work, 'repo', 'clusters', 'private');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'private.yaml'),
    [
      repository('trusted', trusted),
      repository('elsewhere', elsewhere),
      release('from-trusted', 'trusted'),
      release('from-elsewhere', 'elsewhere'),
    ].join('\n---\n'),
  );
  result = await renderFlux({
    repoRoot: join(work, 'repo'),
    paths: ['clusters/private'],
    chartCredentials: [{ host: trusted, username: USER, password: PASSWORD }],
  });
});

after(async () => {
  for (const server of servers) server.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('credentials reach the chart repository they were given for, and no other host', () => {
  const kinds = result.objects
    .filter((o) => o.group === 'HelmRelease greeter/from-trusted')
    .map((o) => o.object.kind)
    .sort();
  assert.deepEqual(kinds, ['ConfigMap', 'Deployment']);
  assert.ok((seen.get(trusted) ?? []).length > 0);
  assert.deepEqual(seen.get(elsewhere), []);
  assert.deepEqual(
    result.errors.map((e) => e.group),
    ['HelmRelease greeter/from-elsewhere'],
  );
  const [message] = result.errors.map((e) => e.message);
  assert.ok(message.startsWith(`chart http://${elsewhere} greeter 0.1.0 could not be fetched: `), message);
  assert.match(message, /could not be fetched: unauthorized: /);
  assert.ok(!message.includes(PASSWORD));
});
