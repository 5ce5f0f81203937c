// The connection to the cluster: kubeconfig, a byte-faithful client and discovery.
import { KubeClient } from '../kube/client.ts';
import { Discovery } from '../kube/discovery.ts';
import { loadKubeconfig } from '../kube/kubeconfig.ts';
import { ClusterObjects } from '../kube/objects.ts';
import type { Settings } from '../settings.ts';
import type { EngineHooks } from './hooks.ts';

export interface Connection {
  cluster: ClusterObjects;
  server: string;
  close(): void;
}

export async function connect(settings: Settings, hooks: EngineHooks): Promise<Connection> {
  const kubeconfig = loadKubeconfig(settings.kubeconfig);
  const client = new KubeClient(kubeconfig.config, kubeconfig.server, {
    // Reads and dry-runs share the pool; a little headroom over the dry-run concurrency
    // keeps list calls from queueing behind dry-runs.
    concurrency: settings.concurrency + 4,
    onRetry: (reason, delay) => hooks.info(`retrying in ${Math.round(delay)} ms: ${reason}`),
  });
  try {
    const discovery = await Discovery.load(client);
    return {
      cluster: new ClusterObjects(client, discovery),
      server: kubeconfig.server,
      close: () => {
        client.close();
        hooks.stats?.(client.stats);
      },
    };
  } catch (error) {
    client.close();
    throw error;
  }
}
