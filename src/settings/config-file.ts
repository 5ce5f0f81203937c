// kube-drift.yaml: the targets of a fleet and the defaults they share, parsed with positions
// and each target validated by the same parsing as action inputs, so errors name file:line: key.
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument, type YAMLMap } from 'yaml';
import { InputError } from '../errors.ts';
import { readFileAtCommit } from '../render/git-base.ts';
import type { Settings } from '../settings.ts';
import { type ConfigEntry, type KubeconfigRef, Locator, readEntry } from './config-entry.ts';
import { parseSettings } from './parse.ts';
import type { RawOptions } from './reader.ts';

export type { KubeconfigRef } from './config-entry.ts';

/** The config file's name at the repository root. */
export const CONFIG_FILE = 'kube-drift.yaml';

export interface ConfigTarget {
  name: string;
  /** The entry's line in the file. */
  line: number;
  kubeconfig?: KubeconfigRef;
  /** The entry's options with the defaults under them, as raw values (the way inputs arrive). */
  options: RawOptions;
  /** The options parsed and validated as a diff run's settings (the kubeconfig is in `kubeconfig`). */
  settings: Settings;
}

export interface FleetConfig {
  /** As errors name it: relative to the repository, with `@ref` when read from a commit. */
  file: string;
  targets: ConfigTarget[];
  /** Read at a commit: whether the work tree's file differs (a pull request changed the config). */
  workTreeDiffers?: boolean;
}

/**
 * Reads the config from the work tree or, given `ref`, from that commit: on an untrusted run
 * the base's config decides where credentials come from, never the pull request's.
 */
export async function loadConfig(
  repoRoot: string,
  options: { path?: string; ref?: string } = {},
): Promise<FleetConfig> {
  const path = options.path ?? CONFIG_FILE;
  const inRepo = relative(repoRoot, resolve(repoRoot, path)).split('\\').join('/');
  if (options.ref !== undefined) {
    if (isAbsolute(path) && inRepo.startsWith('..'))
      throw new InputError(
        `the config ${path} is outside the repository, so it cannot be read at ${options.ref}`,
      );
    const text = await readFileAtCommit(repoRoot, options.ref, inRepo);
    if (text === undefined) throw missing(`${inRepo} at ${options.ref}`);
    const workTree = await readFile(resolve(repoRoot, path), 'utf8').catch(() => undefined);
    return { ...parseConfig(text, `${inRepo}@${options.ref}`, repoRoot), workTreeDiffers: workTree !== text };
  }
  let text: string;
  try {
    text = await readFile(resolve(repoRoot, path), 'utf8');
  } catch {
    throw missing(path);
  }
  return parseConfig(text, isAbsolute(path) ? path : inRepo, repoRoot);
}

function missing(what: string): InputError {
  return new InputError(`no config file: ${what} cannot be read`, {
    hint: `Write ${CONFIG_FILE} at the repository root (see the README's "Config file"), or give its path with --config.`,
  });
}

/** Parses the text of a config file; `file` names it in errors. */
export function parseConfig(text: string, file: string, repoRoot: string): FleetConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = new Locator(file, lines);
  const [syntax] = document.errors;
  if (syntax) {
    const line = syntax.linePos?.[0].line ?? lines.linePos(syntax.pos[0]).line;
    throw new InputError(`${file}:${line}: not valid YAML: ${syntax.message.split('\n')[0]}`, { file, line });
  }
  const root = document.contents as Node | null;
  if (!isMap(root)) throw at.error(root, 'the config must be a map with targets (and defaults)');
  let defaults: ConfigEntry = { values: new Map() };
  let list: Node | null = null;
  for (const pair of root.items as Pair<Node, Node>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'defaults') {
      if (!isMap(pair.value)) throw at.error(pair.value ?? pair.key, 'defaults must be a map of settings');
      defaults = readEntry(pair.value, 'defaults', at, false);
    } else if (key === 'targets') list = pair.value ?? pair.key;
    else
      throw at.error(
        pair.key,
        `${key} is not a setting of ${file}`,
        'The top level takes defaults and targets.',
      );
  }
  if (!isSeq(list) || list.items.length === 0)
    throw at.error(
      list ?? root,
      'targets must be a list with at least one target',
      'Each target has a name and its paths.',
    );
  const targets = (list.items as Node[]).map((node, index) => {
    if (!isMap(node)) throw at.error(node, `targets[${index}] must be a map with a name`);
    return configTarget(node, index, defaults, at, repoRoot);
  });
  uniqueNames(targets, at);
  return { file, targets };
}

function configTarget(
  node: YAMLMap,
  index: number,
  defaults: ConfigEntry,
  at: Locator,
  repoRoot: string,
): ConfigTarget {
  const where = `targets[${index}]`;
  const line = at.line(node);
  const own = readEntry(node, where, at, true);
  const name = own.values.get('target');
  if (!name) throw at.error(node, `${where} has no name`, 'Give each target a name, e.g. name: staging.');
  const values = new Map([...defaults.values, ...own.values]);
  const options: RawOptions = Object.fromEntries([...values].map(([option, { value }]) => [option, value]));
  const label = (option: string) => values.get(option)?.label ?? `${at.file}:${line}: ${where} (${option})`;
  // The same parsing as the action's inputs: every kind, choice and rule between options is checked.
  const settings = parseSettings('diff', options, { repoRoot, isAction: true, eventName: '', label });
  return {
    name: settings.target,
    line,
    kubeconfig: own.kubeconfig ?? defaults.kubeconfig,
    options,
    settings,
  };
}

function uniqueNames(targets: ConfigTarget[], at: Locator): void {
  const seen = new Map<string, number>();
  for (const target of targets) {
    const first = seen.get(target.name);
    if (first !== undefined) {
      throw new InputError(
        `${at.file}:${target.line}: target name "${target.name}" is used twice (first at line ${first})`,
        {
          file: at.file,
          line: target.line,
          hint: 'A target name names the check run, drift issue and inventory: give each target its own.',
        },
      );
    }
    seen.set(target.name, target.line);
  }
}
