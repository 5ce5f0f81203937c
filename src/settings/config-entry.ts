// One entry of kube-drift.yaml (`defaults` or a target) read into raw option values, the way
// action inputs arrive, each remembering the `file:line: key` that set it for error messages.
import {
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  stringify,
  type YAMLMap,
} from 'yaml';
import { parseIgnoreRules } from '../drift/ignore.ts';
import { InputError } from '../errors.ts';
import { FLAT_OPTIONS, HELM_KEYS, optionSpec, REMEDIATE_KEYS, SHAPED_KEYS } from './config-schema.ts';
import type { OptionSpec } from './options.ts';
import { parseRiskAcceptances } from './risk.ts';

/** Where a target's kubeconfig comes from: an environment variable's content, or a file. */
export type KubeconfigRef = { env: string } | { file: string };

/** One option's value from the file and the `file:line: key` that names it. */
export interface ConfigValue {
  value: string | string[];
  label: string;
}

export interface ConfigEntry {
  /** By option name (`target`, `path`, `helm-values`, `prune`, ...). */
  values: Map<string, ConfigValue>;
  kubeconfig?: KubeconfigRef;
}

/** Names a node's place in the file: `kube-drift.yaml:12`. */
export class Locator {
  readonly file: string;
  private readonly lines: LineCounter;

  constructor(file: string, lines: LineCounter) {
    this.file = file;
    this.lines = lines;
  }

  line(node: { range?: [number, number, number] | null } | null | undefined): number {
    return node?.range ? this.lines.linePos(node.range[0]).line : 1;
  }

  error(node: Node | null | undefined, message: string, hint?: string): InputError {
    const line = this.line(node);
    return new InputError(`${this.file}:${line}: ${message}`, { file: this.file, line, hint });
  }
}

/** Reads a map of settings; `where` is its key path (`defaults`, `targets[2]`). */
export function readEntry(map: YAMLMap, where: string, at: Locator, allowName: boolean): ConfigEntry {
  const entry: ConfigEntry = { values: new Map() };
  for (const pair of map.items as Pair<Node, Node>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const path = `${where}.${key}`;
    const label = `${at.file}:${at.line(pair.key)}: ${path}`;
    const set = (option: string, node: Node | null) =>
      entry.values.set(option, { value: rawValue(node, optionSpec(option), label), label });
    if (key === 'name' && allowName) set('target', pair.value);
    else if (key === 'paths') set('path', pair.value);
    else if (key === 'kubeconfig') entry.kubeconfig = kubeconfigRef(pair.value, path, at);
    else if (key === 'helm') readGroup(pair.value, path, at, HELM_KEYS, (k) => `helm-${k}`, entry);
    else if (key === 'remediate') readRemediate(pair.value, path, label, at, entry);
    else if (key === 'ignore') entry.values.set('ignore', { value: ignoreText(pair.value, path, at), label });
    else if (key === 'accept-risk')
      entry.values.set('accept-risk', { value: acceptRiskText(pair.value, path, at), label });
    else if (FLAT_OPTIONS.some((o) => o.name === key)) set(key, pair.value);
    else throw unknownKey(pair.key, path, at, allowName);
  }
  return entry;
}

function unknownKey(node: Node, path: string, at: Locator, allowName: boolean): InputError {
  const known = [...(allowName ? ['name'] : []), ...SHAPED_KEYS, ...FLAT_OPTIONS.map((o) => o.name)];
  const key = path.slice(path.lastIndexOf('.') + 1);
  const near = known.filter((k) => k.startsWith(key.slice(0, 3)) || key.includes(k));
  return at.error(
    node,
    `${path} is not a setting of kube-drift.yaml`,
    near.length > 0
      ? `Did you mean ${near.join(', ')}? Keys follow the action's inputs (schema/config.schema.json).`
      : `Keys follow the action's inputs; see schema/config.schema.json for the list.`,
  );
}

/** A YAML value as the raw option value an input would give, checked against the option's kind. */
function rawValue(node: Node | null, option: OptionSpec, label: string): string | string[] {
  const value: unknown = node?.toJSON();
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (option.kind === 'list') {
    if (scalar) return String(value);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
      return value.map(String);
    throw new InputError(`${label} must be a list of strings`);
  }
  if (!scalar) {
    const expected = { boolean: 'true or false', number: 'a whole number', string: 'a single value' };
    throw new InputError(
      `${label} must be ${expected[option.kind as keyof typeof expected]}, not a list or map`,
    );
  }
  return String(value);
}

function kubeconfigRef(node: Node | null, path: string, at: Locator): KubeconfigRef {
  const hint = 'Write kubeconfig: { env: VARIABLE } (the variable holds the kubeconfig) or { file: path }.';
  if (!isMap(node) || node.items.length !== 1)
    throw at.error(node, `${path} must be one of { env } or { file }`, hint);
  const [pair] = node.items as Pair<Node, Node>[];
  const kind = isScalar(pair.key) ? String(pair.key.value) : '';
  const value = isScalar(pair.value) ? String(pair.value.value ?? '').trim() : '';
  if (kind === 'file' && value) return { file: value };
  if (kind !== 'env' || !value) throw at.error(pair.key, `${path} must be one of { env } or { file }`, hint);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    throw at.error(pair.value, `${path}.env "${value}" is not a variable name`);
  // The runner's own variables hold its tokens, never a kubeconfig; naming one is a mistake or a trick.
  if (/^(GITHUB|ACTIONS|RUNNER)_/i.test(value))
    throw at.error(
      pair.value,
      `${path}.env ${value} is one of the runner's own variables, not a kubeconfig`,
      hint,
    );
  return { env: value };
}

function readGroup(
  node: Node | null,
  path: string,
  at: Locator,
  keys: readonly string[],
  optionOf: (key: string) => string,
  entry: ConfigEntry,
): void {
  if (!isMap(node)) throw at.error(node, `${path} must be a map of ${keys.join(', ')}`);
  for (const pair of node.items as Pair<Node, Node>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const label = `${at.file}:${at.line(pair.key)}: ${path}.${key}`;
    if (!keys.includes(key))
      throw at.error(pair.key, `${path}.${key} is not a setting of ${path}`, `It takes ${keys.join(', ')}.`);
    const option = optionOf(key);
    entry.values.set(option, { value: rawValue(pair.value, optionSpec(option), label), label });
  }
}

/** `remediate: true|false`, or a map of remediation settings, which turns remediation on. */
function readRemediate(
  node: Node | null,
  path: string,
  label: string,
  at: Locator,
  entry: ConfigEntry,
): void {
  if (isMap(node)) {
    entry.values.set('remediate', { value: 'true', label });
    readGroup(node, path, at, REMEDIATE_KEYS, (k) => k, entry);
    return;
  }
  entry.values.set('remediate', { value: rawValue(node, optionSpec('remediate'), label), label });
}

/** Ignore rules, checked here so an error names the file and line, then handed on as the input's YAML. */
function ignoreText(node: Node | null, path: string, at: Locator): string {
  if (!isSeq(node)) throw at.error(node, `${path} must be a list of ignore rules`);
  const text = stringify(node.toJSON());
  try {
    parseIgnoreRules(text, path);
  } catch (error) {
    throw at.error(node, (error as Error).message);
  }
  return text;
}

/** Accepted risk findings, checked here so an error names the file and line, then handed on as the input's YAML. */
function acceptRiskText(node: Node | null, path: string, at: Locator): string {
  if (!isSeq(node)) throw at.error(node, `${path} must be a list of {rule, object, reason}`);
  const text = stringify(node.toJSON());
  try {
    parseRiskAcceptances(text, path);
  } catch (error) {
    throw at.error(node, (error as Error).message);
  }
  return text;
}
