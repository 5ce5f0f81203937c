// The action's inputs as the run's raw options, every credential among them registered with the
// redactor (and the runner's mask) first; and what one target's settings mean for publishing
// and for writing. Shared by the one-target face (src/main.ts) and the fleet face.
import { tmpdir } from 'node:os';
import { parse as parseYaml } from 'yaml';
import type { EngineHooks } from './engine.ts';
import type { RunContext } from './github/context.ts';
import type { PublishSettings } from './github/publishing.ts';
import { decodeInline } from './kube/kubeconfig.ts';
import { maskInLog, readInput } from './output/actions.ts';
import { MIN_SECRET_LENGTH, type Redactor } from './redaction.ts';
import { remediationRefusal } from './remediate/guard.ts';
import { secretLines } from './render/sops/keys.ts';
import { OPTIONS, type ParseContext, type RawOptions, type Settings } from './settings.ts';

export interface ActionInputs {
  raw: RawOptions;
  /** Registers a credential: redacted in everything written, masked by the runner in the log. */
  secret: (value: string | undefined) => void;
  /** What parsing knows of the run (the pull request's base, where reports go). */
  parseContext: ParseContext;
}

export function readActionInputs(context: RunContext, redactor: Redactor): ActionInputs {
  const raw: Record<string, string> = {};
  for (const option of OPTIONS) if (option.scope !== 'cli') raw[option.name] = readInput(option.name);
  const secret = (value: string | undefined) => {
    if (!value) return;
    // The runner masks a credential in the log even when it is too short to redact by value.
    if (value.length < MIN_SECRET_LENGTH) maskInLog(value);
    redactor.add(value);
  };
  secret(raw['github-token']);
  // Key material, line by line: the runner masks a multi-line value only line by line.
  for (const key of [
    raw['sops-age-key'],
    raw['sops-pgp-key'],
    raw['chart-credentials'],
    process.env.SOPS_AGE_KEY,
  ])
    for (const line of secretLines(key ?? '')) secret(line);
  return {
    raw,
    secret,
    parseContext: {
      repoRoot: process.env.GITHUB_WORKSPACE || process.cwd(),
      isAction: true,
      pullRequestBase: context.pullRequest?.baseSha,
      reportDir: process.env.RUNNER_TEMP || tmpdir(),
    },
  };
}

/**
 * Registers a target's inline kubeconfig once parsed. Only kubeconfig content is secret:
 * masking a path would turn the path into *** in every message, and a short one (`kubeconfig`)
 * would mask the word all over the log.
 */
export function registerKubeconfig(settings: Settings, secret: ActionInputs['secret']): void {
  for (const value of kubeconfigSecrets(settings.kubeconfig.inline)) secret(value);
}

export function publishSettings(settings: Settings): PublishSettings {
  return {
    token: settings.github.token,
    target: settings.target,
    comment: settings.github.comment,
    checkRun: settings.github.checkRun,
    failOnDrift: settings.failOnDrift,
    issue: settings.github.issue,
    issueLabels: settings.github.issueLabels,
    webhookUrl: settings.github.webhookUrl,
    webhookFormat: settings.github.webhookFormat,
  };
}

/** Whether this run may write, decided before anything is read: a refused run only reports. */
export function mayApply(settings: Settings, context: RunContext, hooks: EngineHooks): boolean {
  if (!settings.remediation.remediate) return false;
  const refusal = remediationRefusal(
    { eventName: context.eventName, ref: context.ref, defaultBranch: context.defaultBranch },
    settings.remediation.allowedRefs,
  );
  if (refusal)
    hooks.warning(
      `remediation refused: ${refusal}. The cluster was not changed; this run only reports drift.`,
    );
  return !refusal;
}

/**
 * What GitHub must mask of an inline kubeconfig: the input as given, the YAML it decodes to,
 * and each credential on its own — the runner masks line by line, so a multi-line value alone
 * would not hide a credential printed on one line.
 */
export function kubeconfigSecrets(inline: string | undefined): string[] {
  if (!inline?.trim()) return [];
  const secrets = [inline, inline.trim()];
  let parsed: { users?: Array<{ user?: Record<string, unknown> }> } | undefined;
  try {
    const decoded = decodeInline(inline);
    secrets.push(decoded, decoded.trim());
    parsed = parseYaml(decoded) as typeof parsed;
  } catch {
    return secrets;
  }
  for (const user of parsed?.users ?? []) {
    for (const value of Object.values(user?.user ?? {})) {
      if (typeof value === 'string' && value.length >= 8) secrets.push(value);
    }
  }
  return [...new Set(secrets)];
}
