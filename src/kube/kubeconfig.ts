// Loads the cluster credentials from the places people keep them: a file, inline content
// (an action input, base64 or plain), KUBECONFIG (a list of files, merged as kubectl merges
// them), or the pod's service account.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.ts';
import { kubeconfigPaths, mergeKubeconfigFiles } from './kubeconfig-merge.ts';

export interface KubeconfigSource {
  /** A kubeconfig file. */
  path?: string;
  /** Kubeconfig content: YAML or base64 of YAML. */
  inline?: string;
  /** A context to use instead of the file's current-context. */
  context?: string;
}

export interface LoadedKubeconfig {
  config: KubeConfig;
  /** Where it came from, for messages: a file path, `inline`, `KUBECONFIG`, `in-cluster`. */
  origin: string;
  /** The API server URL. */
  server: string;
  context: string;
}

export function loadKubeconfig(
  source: KubeconfigSource,
  env: NodeJS.ProcessEnv = process.env,
): LoadedKubeconfig {
  let config = new KubeConfig();
  let origin: string;
  if (source.inline?.trim()) {
    origin = 'the inline kubeconfig';
    config.loadFromString(decodeInline(source.inline));
  } else if (source.path) {
    origin = source.path;
    if (!existsSync(source.path)) {
      throw new InputError(`kubeconfig file ${source.path} does not exist`, {
        hint: 'Give the path of a kubeconfig file, or set the kubeconfig input to its content.',
      });
    }
    loadFile(config, source.path);
  } else if (env.KUBECONFIG) {
    origin = `KUBECONFIG (${env.KUBECONFIG})`;
    const merged = mergeKubeconfigFiles(kubeconfigPaths(env.KUBECONFIG));
    if (merged.loaded.length === 0) {
      throw new InputError(`KUBECONFIG names no file that exists (${merged.missing.join(', ') || 'none'})`, {
        hint: 'Point KUBECONFIG at a kubeconfig file, or pass --kubeconfig.',
      });
    }
    config = merged.config;
  } else if (env.KUBERNETES_SERVICE_HOST) {
    origin = 'in-cluster service account';
    config.loadFromCluster();
  } else {
    const home = env.HOME ? `${env.HOME}/.kube/config` : '';
    if (!home || !existsSync(home)) {
      throw new InputError('no kubeconfig found', {
        hint: 'Pass --kubeconfig FILE (or the kubeconfig input), set KUBECONFIG, or run inside a cluster.',
      });
    }
    origin = home;
    loadFile(config, home);
  }

  if (source.context) {
    if (!config.getContextObject(source.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new InputError(`context "${source.context}" is not in ${origin}`, {
        hint: `Contexts there: ${known.join(', ') || '(none)'}.`,
      });
    }
    config.setCurrentContext(source.context);
  }
  if (config.getClusters().length === 0) {
    throw new InputError(`${origin} has no clusters`, {
      hint: 'A kubeconfig needs clusters (server, certificate-authority-data), users and contexts, and a current-context naming one of them.',
    });
  }
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) {
    throw new InputError(`${origin} has no cluster for context "${config.getCurrentContext()}"`, {
      hint: 'Check current-context and the clusters list in the kubeconfig.',
    });
  }
  if (cluster.proxyUrl) {
    // Requests go straight to the server (src/kube/client.ts makes its own agent), so a proxy
    // the kubeconfig names would be bypassed without a word. The URL is not printed: it may
    // hold the proxy's password.
    throw new InputError(
      `${origin}: cluster "${cluster.name}" sets proxy-url, which kube-drift does not support`,
      {
        hint: 'kube-drift connects to the API server directly. Run it where the server is reachable, or through a tunnel that gives it a direct address.',
      },
    );
  }
  return { config, origin, server: cluster.server.replace(/\/+$/, ''), context: config.getCurrentContext() };
}

function loadFile(config: KubeConfig, path: string): void {
  try {
    config.loadFromFile(path);
  } catch (error) {
    throw new InputError(`kubeconfig ${path} could not be read: ${(error as Error).message}`, {
      hint: 'It must be a YAML kubeconfig with clusters, users and contexts.',
      file: path,
    });
  }
}

/** Inline content is YAML, or base64 of YAML (the usual way to keep it in a repository secret). */
export function decodeInline(inline: string): string {
  const text = inline.trim();
  const looksBase64 = /^[A-Za-z0-9+/=\s]+$/.test(text) && !text.includes(':');
  const candidate = looksBase64 ? Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8') : text;
  let parsed: unknown;
  try {
    parsed = parseYaml(candidate);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || !('clusters' in parsed)) {
    throw new InputError('the inline kubeconfig is neither kubeconfig YAML nor base64 of it', {
      hint: 'Pass the file content as is, or `base64 -w0 kubeconfig`. It must contain clusters, users and contexts.',
    });
  }
  return candidate;
}
