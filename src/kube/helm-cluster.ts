// The target cluster as Helm is shown it: the capabilities helm-controller would render with,
// and `lookup` through the read-only proxy, each helm run with its own token and kubeconfig.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from './client.ts';
import type { Discovery } from './discovery.ts';
import { type ProxySession, ReadProxy } from './read-proxy.ts';

export interface HelmCapabilities {
  /** The server's version, e.g. `v1.35.4`. */
  kubeVersion: string;
  /** As helm lists them: every `group/version` and `group/version/Kind` served. */
  apiVersions: string[];
}

export interface HelmLookupSession {
  /** A kubeconfig that reaches the proxy with this session's token and nothing else. */
  kubeconfig: string;
  /** Secret reads answered not-found (an untrusted run). */
  readonly secretsHidden: number;
  /** API paths the cluster refused with 403. */
  readonly forbidden: string[];
  close(): Promise<void>;
}

export interface HelmClusterAccess {
  /** Read once, on the first chart. */
  capabilities(): Promise<HelmCapabilities>;
  openLookup(): Promise<HelmLookupSession>;
  close(): Promise<void>;
}

/** `--api-versions` as helm's own discovery (action.GetVersionSet) names them. */
export function helmApiVersions(discovery: Discovery): string[] {
  const found = new Set<string>();
  for (const info of discovery.all()) {
    for (const version of info.versions) {
      const groupVersion = info.group === '' ? version : `${info.group}/${version}`;
      found.add(groupVersion);
      found.add(`${groupVersion}/${info.kind}`);
    }
  }
  for (const kind of discovery.subresourceKinds()) found.add(kind);
  return [...found].sort();
}

export async function readCapabilities(client: KubeClient, discovery: Discovery): Promise<HelmCapabilities> {
  const version = await client.request<{ gitVersion?: string }>('GET', '/version', {
    operation: { verb: 'get', subject: '/version' },
  });
  if (!version?.gitVersion) throw new Error('the API server did not say its version (GET /version)');
  return { kubeVersion: version.gitVersion, apiVersions: helmApiVersions(discovery) };
}

/**
 * The cluster as Helm charts see it. Nothing is read and no endpoint listens until the first
 * chart asks: runs without charts cost nothing.
 */
export function openHelmCluster(
  client: KubeClient,
  discovery: Discovery,
  options: { hideSecrets: boolean; onSecret(secret: Record<string, unknown>): void },
): HelmClusterAccess {
  let capabilities: Promise<HelmCapabilities> | undefined;
  let proxy: Promise<ReadProxy> | undefined;
  return {
    capabilities: () => {
      capabilities ??= readCapabilities(client, discovery);
      return capabilities;
    },
    openLookup: async () => {
      proxy ??= ReadProxy.start(client, options);
      return openSession(await proxy);
    },
    close: async () => {
      const started = proxy;
      proxy = undefined;
      await (await started?.catch(() => undefined))?.close();
    },
  };
}

async function openSession(proxy: ReadProxy): Promise<HelmLookupSession> {
  // Private to this process's user, removed when the run ends: the token is worthless after
  // that anyway, but nothing is left behind.
  const dir = await mkdtemp(join(tmpdir(), 'kube-drift-helm-'));
  const session: ProxySession = proxy.begin();
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigFor(proxy.endpoint, proxy.ca, session.token), { mode: 0o600 });
  return {
    kubeconfig,
    get secretsHidden() {
      return session.secretsHidden;
    },
    get forbidden() {
      return session.forbidden;
    },
    close: async () => {
      proxy.end(session);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function kubeconfigFor(server: string, ca: string, token: string): string {
  const authority = Buffer.from(ca).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-drift', cluster: { server, 'certificate-authority-data': authority } }],
    users: [{ name: 'kube-drift-lookup', user: { token } }],
    contexts: [{ name: 'kube-drift', context: { cluster: 'kube-drift', user: 'kube-drift-lookup' } }],
    'current-context': 'kube-drift',
  });
}
