// The loopback endpoint Helm's lookup goes through, against the local control plane: reads
// only, one token per session, every Secret that passes registered with the redactor, Secrets
// hidden on untrusted runs; and a chart whose lookup the credentials may not read renders
// offline with a warning.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { renderDesired } from '../../../src/engine.ts';
import { KubeClient } from '../../../src/kube/client.ts';
import { Discovery } from '../../../src/kube/discovery.ts';
import { type HelmClusterAccess, openHelmCluster } from '../../../src/kube/helm-cluster.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { Redactor } from '../../../src/redaction.ts';
import { parseSettings } from '../../../src/settings.ts';
import {
  kubeconfigPath,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const SECRET_VALUE = 'lookup-proxy-secret-value-42';

function clientFor(path: string): KubeClient {
  const loaded = loadKubeconfig({ path });
  return new KubeClient(loaded.config, loaded.server, { retryBudgetMs: 0 });
}

async function open(
  client: KubeClient,
  hideSecrets: boolean,
  redactor: Redactor,
): Promise<HelmClusterAccess> {
  return openHelmCluster(client, await Discovery.load(client), {
    hideSecrets,
    onSecret: (secret) => redactor.addSecretObject(secret as never),
  });
}

/** The endpoint, its CA and the token of a session, read from the kubeconfig Helm would be given. */
function endpointOf(kubeconfig: string): { server: string; token: string; ca: string } {
  const config = JSON.parse(readFileSync(kubeconfig, 'utf8'));
  const cluster = config.clusters[0].cluster;
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  return { server: cluster.server, token: config.users[0].user.token, ca };
}

interface Answer {
  status: number;
  json(): Promise<unknown>;
}

/** An HTTPS request that trusts only the endpoint's own certificate. */
function call(
  ca: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('the lookup endpoint', { timeout: 120_000 }, () => {
  let ns: TestNamespace;
  let client: KubeClient;

  before(async () => {
    ns = await withNamespace('kd-lookup');
    await kubectlOk([
      'create',
      'secret',
      'generic',
      'kept',
      '-n',
      ns.name,
      `--from-literal=v=${SECRET_VALUE}`,
    ]);
    client = clientFor(kubeconfigPath());
  });

  after(async () => {
    client?.close();
    await ns?.cleanup();
  });

  it('serves reads with the session token only, refuses every other verb, registers Secrets', async () => {
    const redactor = new Redactor();
    const cluster = await open(client, false, redactor);
    const session = await cluster.openLookup();
    const { server, token, ca } = endpointOf(session.kubeconfig);
    assert.match(server, /^https:\/\/127\.0\.0\.1:\d+$/);
    const fetch = (url: string, init?: Parameters<typeof call>[2]) => call(ca, url, init);
    const auth = { authorization: `Bearer ${token}` };
    const configMaps = `${server}/api/v1/namespaces/${ns.name}/configmaps`;
    try {
      assert.equal((await fetch(`${server}/version`, { headers: auth })).status, 200);
      assert.equal((await fetch(configMaps, { headers: auth })).status, 200);
      assert.equal((await fetch(configMaps)).status, 401);
      assert.equal((await fetch(configMaps, { headers: { authorization: 'Bearer nope' } })).status, 401);
      assert.equal((await fetch(`${server}/healthz`, { headers: auth })).status, 403);
      for (const sub of ['pods/web/log', 'services/web:80/proxy/'])
        assert.equal(
          (await fetch(`${server}/api/v1/namespaces/${ns.name}/${sub}`, { headers: auth })).status,
          403,
        );
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'planted' } });
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const response = await fetch(`${configMaps}${method === 'POST' ? '' : '/planted'}`, {
          method,
          headers: { ...auth, 'content-type': 'application/json' },
          body: method === 'DELETE' ? undefined : body,
        });
        assert.equal(response.status, 405, method);
        assert.match(((await response.json()) as { message: string }).message, /reads only/);
      }
      const planted = await kubectlOk(['get', 'configmap', '-n', ns.name, '-o', 'name']);
      assert.doesNotMatch(planted, /planted/);

      assert.equal(redactor.redact(SECRET_VALUE), SECRET_VALUE);
      const secret = await fetch(`${server}/api/v1/namespaces/${ns.name}/secrets/kept`, { headers: auth });
      assert.equal(secret.status, 200);
      assert.equal(redactor.redact(`x ${SECRET_VALUE} y`), 'x *** y');
    } finally {
      await session.close();
    }
    // The token ends with its session, and the kubeconfig is removed.
    assert.equal((await fetch(configMaps, { headers: auth })).status, 401);
    assert.throws(() => readFileSync(session.kubeconfig));
    await cluster.close();
  });

  it('on untrusted runs answers Secrets as not found and lists of them as empty', async () => {
    const redactor = new Redactor();
    const cluster = await open(client, true, redactor);
    const session = await cluster.openLookup();
    const { server, token, ca } = endpointOf(session.kubeconfig);
    const headers = { authorization: `Bearer ${token}` };
    const fetch = (url: string, init?: Parameters<typeof call>[2]) => call(ca, url, init);
    try {
      const one = await fetch(`${server}/api/v1/namespaces/${ns.name}/secrets/kept`, { headers });
      assert.equal(one.status, 404);
      assert.equal(((await one.json()) as { reason: string }).reason, 'NotFound');
      const list = await fetch(`${server}/api/v1/namespaces/${ns.name}/secrets`, { headers });
      assert.deepEqual(((await list.json()) as { items: unknown[] }).items, []);
      const all = await fetch(`${server}/api/v1/secrets`, { headers });
      assert.deepEqual(((await all.json()) as { items: unknown[] }).items, []);
      assert.equal(session.secretsHidden, 3);
      assert.equal(redactor.size, 0);
    } finally {
      await session.close();
      await cluster.close();
    }
  });

  it('a chart whose lookup the credentials may not read renders offline, with a warning', async () => {
    // A ServiceAccount with no permissions beyond discovery: lookup of a Secret is forbidden.
    await kubectlOk(['create', 'serviceaccount', 'no-reads', '-n', ns.name]);
    const token = (await kubectlOk(['create', 'token', 'no-reads', '-n', ns.name])).trim();
    const admin = parse(await kubectlOk(['config', 'view', '--raw', '--minify']));
    admin.users = [{ name: 'no-reads', user: { token } }];
    admin.contexts[0].context.user = 'no-reads';
    const file = `${process.env.TMPDIR ?? '/tmp'}/kd-no-reads-${ns.name}.yaml`;
    writeFileSync(file, stringify(admin), { mode: 0o600 });
    const limited = clientFor(file);
    const cluster = await open(limited, false, new Redactor());
    try {
      const settings = parseSettings(
        'diff',
        { path: 'test/fixtures/helm-cluster/keeps-password', 'helm-release-name': 'pw', namespace: ns.name },
        { repoRoot: REPO_ROOT, isAction: false },
      );
      const desired = await renderDesired(settings, new Redactor(), { helmCluster: cluster });
      assert.deepEqual(desired.objects.map((d) => `${d.object.kind}/${d.object.metadata.name}`).sort(), [
        'Deployment/pw-app',
        'Secret/pw-admin',
      ]);
      assert.equal(desired.warnings.length, 1, desired.warnings.join('\n'));
      assert.match(
        desired.warnings[0],
        new RegExp(
          `^test/fixtures/helm-cluster/keeps-password: the credentials may not read /api/v1/namespaces/${ns.name}/secrets/pw-admin \\(403\\)`,
        ),
      );
    } finally {
      await cluster.close();
      limited.close();
    }
  });
});
