// The byte-faithful request path and its errors, against the real control plane: a CRD with
// x-kubernetes-preserve-unknown-fields and a custom resource whose kind is also a built-in
// kind survive dry-run, apply and read-back intact; an unreachable server, a TLS failure,
// a rejected credential and a forbidden verb each say which and what to do.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { KubeClient } from '../../../src/kube/client.ts';
import { Discovery } from '../../../src/kube/discovery.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { ClusterObjects } from '../../../src/kube/objects.ts';
import { type KubeObject, refOf } from '../../../src/model.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectlOk,
  readonlyKubeconfigPath,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';

const FIXTURES = 'test/fixtures/engine/crd';

async function connect(path: string, options: { retryBudgetMs?: number } = {}): Promise<ClusterObjects> {
  const loaded = loadKubeconfig({ path });
  const client = new KubeClient(loaded.config, loaded.server, {
    retryBudgetMs: options.retryBudgetMs ?? 5_000,
  });
  return new ClusterObjects(client, await Discovery.load(client));
}

describe('exact JSON through the API', { timeout: 120_000 }, () => {
  let ns: TestNamespace;
  let cluster: ClusterObjects;
  const crd = parse(readFileSync(`${FIXTURES}/crd.yaml`, 'utf8')) as KubeObject;
  const resource = parse(readFileSync(`${FIXTURES}/resource.yaml`, 'utf8')) as KubeObject;

  before(async () => {
    ns = await withNamespace('exact');
    await kubectlOk(['apply', '--server-side', '-f', `${FIXTURES}/crd.yaml`]);
    await kubectlOk([
      'wait',
      '--for=condition=Established',
      'crd/services.drift.kube-drift.dev',
      '--timeout=30s',
    ]);
    // Discovery after the CRD is served, so the custom Service kind is known.
    cluster = await waitFor(
      async () => {
        const c = await connect(kubeconfigPath());
        return c.info({ group: 'drift.kube-drift.dev', kind: 'Service' }) ? c : undefined;
      },
      30_000,
      'the custom Service kind in discovery',
    );
  });
  after(async () => {
    cluster?.client.close();
    await ns?.cleanup();
  });

  it('reads the CRD back with x-kubernetes-preserve-unknown-fields', async () => {
    const live = await cluster.get(refOf(crd));
    assert.ok(live, 'the CRD exists');
    const schema = (
      live.spec as {
        versions: { schema: { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } } }[];
      }
    ).versions[0].schema.openAPIV3Schema.properties.spec;
    assert.equal(schema['x-kubernetes-preserve-unknown-fields'], true);
  });

  it('dry-runs, applies and reads back a custom Service in another group without losing a field', async () => {
    const object = structuredClone(resource);
    object.metadata.namespace = ns.name;
    const ref = refOf(object);
    const options = { fieldManager: 'kube-drift-test', force: true };

    const dryRun = await cluster.apply(object, ref, { ...options, dryRun: true });
    assert.deepEqual(dryRun.spec, resource.spec);
    assert.equal(dryRun.metadata.resourceVersion ?? '', '', 'a dry-run create has no resourceVersion');
    assert.equal(await cluster.get(ref), null, 'a dry-run stores nothing');

    const applied = await cluster.apply(object, ref, { ...options, dryRun: false });
    assert.deepEqual(applied.spec, resource.spec);
    const readBack = await cluster.get(ref);
    assert.equal(readBack?.apiVersion, 'drift.kube-drift.dev/v1');
    assert.equal(readBack?.kind, 'Service');
    assert.deepEqual(readBack?.spec, resource.spec, 'every unknown field survives');

    // The built-in Service of the same name is a different object.
    assert.equal(await cluster.get({ ...ref, group: '', version: 'v1' }), null);

    // And kube-drift diff sees it in sync.
    const run = await runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '-n',
      ns.name,
      '--path',
      `${FIXTURES}/resource.yaml`,
      '-o',
      'json',
    ]);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(
      report.entries.map((e: { kind: string; action: string }) => `${e.kind} ${e.action}`),
      ['Service unchanged'],
    );
    assert.equal(run.code, 0);
  });
});

describe('connection and permission errors', { timeout: 120_000 }, () => {
  let dir: string;
  const admin = () => parse(readFileSync(kubeconfigPath(), 'utf8'));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-drift-errors-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function writeKubeconfig(name: string, edit: (config: ReturnType<typeof admin>) => void): string {
    const config = admin();
    edit(config);
    const file = join(dir, name);
    writeFileSync(file, stringify(config), { mode: 0o600 });
    return file;
  }

  async function diffWith(kubeconfig: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return runCli(['diff', '--kubeconfig', kubeconfig, '--path', 'test/fixtures/engine/app/service.yaml']);
  }

  it('an unreachable server names it and says what to check', async () => {
    const file = writeKubeconfig('unreachable', (c) => {
      c.clusters[0].cluster.server = 'https://127.0.0.1:1';
    });
    const started = Date.now();
    const loaded = loadKubeconfig({ path: file });
    const client = new KubeClient(loaded.config, loaded.server, { retryBudgetMs: 1_000 });
    await assert.rejects(Discovery.load(client), (error: Error & { hint?: string }) => {
      assert.match(
        error.message,
        /discover \/apis?: the API server at https:\/\/127\.0\.0\.1:1 is unreachable \(ECONNREFUSED\)/,
      );
      assert.match(error.hint ?? '', /Check that the cluster is up and the runner can reach it/);
      return true;
    });
    assert.ok(client.stats.retries > 0, 'connection refusals are retried within the budget');
    assert.ok(Date.now() - started < 10_000);
    client.close();
  });

  it('a TLS failure says the certificate authority does not match', async () => {
    const file = writeKubeconfig('wrong-ca', (c) => {
      // A CA that did not sign the server certificate: the client certificate's own CA data.
      c.clusters[0].cluster['certificate-authority-data'] = c.users[0].user['client-certificate-data'];
    });
    const { code, stderr } = await diffWith(file);
    assert.equal(code, 2);
    assert.match(stderr, /TLS with the API server at https:\/\/127\.0\.0\.1:\d+ failed/);
    assert.match(stderr, /certificate-authority-data must sign the server certificate/);
  });

  it('a rejected credential says to refresh it', async () => {
    const file = writeKubeconfig('bad-token', (c) => {
      c.users[0].user = { token: 'expired-or-invalid-token' };
    });
    const { code, stderr } = await diffWith(file);
    assert.equal(code, 2);
    assert.match(stderr, /discover \/apis?: Unauthorized/);
    assert.match(stderr, /rejected the credentials: the token or client certificate is expired or invalid/);
    assert.ok(!stderr.includes('expired-or-invalid-token'), 'the token is never printed');
  });

  it('a forbidden dry-run names the verb and the object, and what to do', async () => {
    // A per-object error: the report lists it; the other objects are still diffed.
    const { code, stdout, stderr } = await diffWith(readonlyKubeconfigPath());
    assert.equal(code, 2, stderr);
    assert.match(stdout, /dry-run apply Service\/default\/web: services "web" is forbidden/);
    assert.match(stdout, /lack permission to dry-run apply Service\/default\/web/);
  });
});
