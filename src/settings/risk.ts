// The risk review's settings: on or off, the severity that fails a run, and findings accepted
// by rule and object (`accept-risk`), each with the reason a reviewer gave.

import { parse } from 'yaml';
import { InputError } from '../errors.ts';
import type { RiskRuleId, RiskSeverity } from '../model.ts';
import type { Settings } from '../settings.ts';
import type { OptionReader } from './reader.ts';

/** Every rule of the review, in the order the README's table lists them. */
export const RISK_RULE_IDS: readonly RiskRuleId[] = [
  'immutable-field',
  'delete-stateful',
  'config-without-rollout',
  'rbac-escalation',
  'workload-privilege',
  'exposure',
  'availability',
  'prune-over-limit',
  'image-change',
];

/** A finding accepted in the settings: a rule, the objects it covers (`*` wildcards) and why. */
export interface RiskAcceptance {
  rule: RiskRuleId;
  /** `Kind/namespace/name` or `Kind/name`; `*` matches any characters. */
  object: string;
  reason: string;
}

export function riskSettings(read: OptionReader): Settings['risk'] {
  const accepted = read.get('accept-risk');
  return {
    review: read.bool('risk-review'),
    failOn: read.choice<RiskSeverity | 'none'>('fail-on-risk'),
    accepted: accepted ? parseRiskAcceptances(accepted, read.label('accept-risk')) : [],
  };
}

const EXAMPLE =
  'For example:\n  - rule: delete-stateful\n    object: PersistentVolumeClaim/db/data\n    reason: "data migrated to the new volume"';

/** `accept-risk` as YAML: a list of {rule, object, reason}, each field checked. */
export function parseRiskAcceptances(text: string, origin: string): RiskAcceptance[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new InputError(`${origin}: not valid YAML: ${(error as Error).message}`, {
      hint: EXAMPLE,
      cause: error,
    });
  }
  if (document === null || document === undefined) return [];
  if (!Array.isArray(document))
    throw new InputError(`${origin} must be a list of {rule, object, reason}`, { hint: EXAMPLE });
  return document.map((item, index) => acceptance(item, `${origin}[${index}]`));
}

function acceptance(item: unknown, where: string): RiskAcceptance {
  const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const text = (key: string): string => {
    const value = record[key];
    if (typeof value !== 'string' || value.trim() === '')
      throw new InputError(`${where}: "${key}" must be a non-empty string`, { hint: EXAMPLE });
    return value.trim();
  };
  const rule = text('rule');
  if (!RISK_RULE_IDS.includes(rule as RiskRuleId))
    throw new InputError(`${where}: unknown rule "${rule}"`, { hint: `Rules: ${RISK_RULE_IDS.join(', ')}.` });
  return { rule: rule as RiskRuleId, object: text('object'), reason: text('reason') };
}
