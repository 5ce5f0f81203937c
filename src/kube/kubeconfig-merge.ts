// Merges the kubeconfig files a KUBECONFIG list names, with kubectl's rules (client-go
// clientcmd): empty names and missing files are skipped; the first file to name a cluster,
// user or context wins, and its entry is taken whole (a later file's entry of the same name
// adds nothing); current-context comes from the first file that sets one.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, delimiter as osDelimiter, resolve } from 'node:path';
import { type Cluster, type Context, KubeConfig, type User } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.ts';

/** The files a KUBECONFIG value names, in order: empty entries dropped, each file once (by absolute path). */
export function kubeconfigPaths(value: string, delimiter: string = osDelimiter): string[] {
  const seen = new Set<string>();
  const paths: string[] = [];
  for (const path of value.split(delimiter)) {
    if (path === '' || seen.has(resolve(path))) continue;
    seen.add(resolve(path));
    paths.push(path);
  }
  return paths;
}

export interface MergedKubeconfig {
  config: KubeConfig;
  /** The files that existed and were read, in order. */
  loaded: string[];
  /** Named files that do not exist (skipped, as kubectl skips them). */
  missing: string[];
}

/** Reads and merges `paths` as kubectl does; a file that exists but is not a kubeconfig is an error naming it. */
export function mergeKubeconfigFiles(paths: string[]): MergedKubeconfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  const loaded: string[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) {
      missing.push(path);
      continue;
    }
    loaded.push(path);
    const file = readKubeconfigFile(path);
    if (!file) continue;
    firstWins(clusters, file.clusters);
    firstWins(users, file.users);
    firstWins(contexts, file.contexts);
    if (!currentContext && file.currentContext) currentContext = file.currentContext;
  }
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext,
  });
  return { config, loaded, missing };
}

/** Adds the entries whose name is not taken yet: an entry of a name already seen is dropped whole. */
function firstWins<T extends { name: string }>(into: Map<string, T>, entries: T[]): void {
  for (const entry of entries) if (!into.has(entry.name)) into.set(entry.name, entry);
}

/** One kubeconfig file, relative certificate paths made absolute to its directory; undefined when it is empty. */
function readKubeconfigFile(path: string): KubeConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`kubeconfig ${path} could not be read: ${(error as Error).message}`, { file: path });
  }
  // kubectl reads an empty file (or one of only comments) as an empty kubeconfig.
  if (emptyYaml(text)) return undefined;
  const config = new KubeConfig();
  try {
    config.loadFromString(text);
  } catch (error) {
    throw new InputError(`kubeconfig ${path} could not be read: ${(error as Error).message}`, {
      hint: 'It must be a YAML kubeconfig with clusters, users and contexts.',
      file: path,
    });
  }
  config.makePathsAbsolute(dirname(path));
  return config;
}

function emptyYaml(text: string): boolean {
  try {
    return parseYaml(text) == null;
  } catch {
    return false;
  }
}
