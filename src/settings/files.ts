// Settings that name files or hold key material: the kubeconfig, ignore rules, SOPS keys and
// chart credentials, read (or located) while parsing so a bad path is an input error at once.

import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type IgnoreRule, parseIgnoreRules } from '../drift/ignore.ts';
import { InputError } from '../errors.ts';
import type { KubeconfigSource } from '../kube/kubeconfig.ts';
import {
  type ChartCredential,
  dockerConfigCredentials,
  parseChartCredentials,
} from '../render/flux/chart-credentials.ts';
import type { SopsKeySources } from '../render/sops/keys.ts';
import type { OptionReader } from './reader.ts';

/** In the action the kubeconfig input is content unless it is clearly a path (in the repository). */
export function kubeconfigSource(read: OptionReader, repoRoot: string): KubeconfigSource {
  const value = read.get('kubeconfig');
  const source: KubeconfigSource = read.isAction
    ? value && !looksLikePath(value)
      ? { inline: value }
      : { path: value ? resolve(repoRoot, value) : undefined }
    : { path: value ? resolve(value) : undefined };
  return { ...source, context: read.get('context') };
}

function looksLikePath(value: string): boolean {
  return (
    !value.includes('\n') &&
    value.length < 512 &&
    /[/.]/.test(value) &&
    !/^[A-Za-z0-9+/=]{200,}$/.test(value) &&
    !value.includes('apiVersion')
  );
}

/** Rules from ignore-file, then the inline ignore input. */
export function ignoreRules(read: OptionReader, repoRoot: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  const ignoreFile = read.get('ignore-file');
  if (ignoreFile) {
    const file = isAbsolute(ignoreFile) ? ignoreFile : resolve(repoRoot, ignoreFile);
    const text = readText(
      file,
      `ignore file ${ignoreFile} cannot be read`,
      'Check the path given to ignore-file.',
    );
    rules.push(...parseIgnoreRules(text, ignoreFile));
  }
  const inline = read.get('ignore');
  if (inline) rules.push(...parseIgnoreRules(inline, 'the ignore input'));
  return rules;
}

/** SOPS keys from the options, else from sops' own environment variables (as the controller reads them). */
export function sopsKeySources(read: OptionReader, repoRoot: string): SopsKeySources {
  const local = (path: string) => (read.isAction ? resolve(repoRoot, path) : resolve(path));
  const ageKeyFile = read.get('sops-age-key-file') ?? process.env.SOPS_AGE_KEY_FILE;
  let pgpKey = read.get('sops-pgp-key');
  if (pgpKey && !pgpKey.includes('-----BEGIN')) {
    pgpKey = readText(
      local(pgpKey),
      `${read.label('sops-pgp-key')} is neither an armored PGP private key nor a readable file`,
      'Give the output of `gpg --armor --export-secret-keys <fingerprint>`, or the path of a file holding it.',
    );
  }
  return {
    ageKey: read.get('sops-age-key') ?? (process.env.SOPS_AGE_KEY?.trim() || undefined),
    ageKeyFile: ageKeyFile ? local(ageKeyFile) : undefined,
    pgpKey,
  };
}

/** chart-credentials entries, then the auths of docker-config, each bound to its host. */
export function chartCredentials(read: OptionReader, repoRoot: string): ChartCredential[] {
  const credentials = parseChartCredentials(read.lines('chart-credentials'), read.label('chart-credentials'));
  const dockerConfig = read.get('docker-config');
  if (dockerConfig) {
    const text = readText(
      resolve(repoRoot, dockerConfig),
      `docker config ${dockerConfig} cannot be read`,
      `Check the path given to ${read.label('docker-config')}.`,
    );
    credentials.push(...dockerConfigCredentials(text, dockerConfig));
  }
  return credentials;
}

function readText(file: string, problem: string, hint: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new InputError(problem, { hint });
  }
}
