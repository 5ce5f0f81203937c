// Which keys kube-drift.yaml takes and the JSON Schema that describes it, both made from the
// option table, so a new input is a new config key without a second list to keep in step.
import { OPTIONS, type OptionSpec } from './options.ts';
import { RISK_RULE_IDS } from './risk.ts';

/**
 * Options a config file may not set: the target's name and credentials have their own keys,
 * secrets do not belong in a committed file, and the rest are for one terminal or one run.
 */
const NOT_IN_CONFIG = new Set([
  'target',
  'path',
  'kubeconfig',
  'remediate',
  'ignore',
  'accept-risk',
  'github-token',
  'sops-age-key',
  'sops-pgp-key',
  'webhook-url',
  'output',
  'color',
  'verbose',
  'base',
  'config',
  'summarize',
]);

/** Options set under `remediate: { ... }` (the map form also turns remediation on). */
export const REMEDIATE_KEYS = [
  'prune',
  'max-deletions',
  'wait',
  'timeout',
  'force',
  'dry-run',
  'allowed-refs',
  'suspend',
  'skip-unhealthy',
] as const;

/** Options set under `helm: { ... }`, each the option `helm-<key>`. */
export const HELM_KEYS = ['release-name', 'namespace', 'values', 'set'] as const;

/** Options a config entry sets by their own name (flat keys). */
export const FLAT_OPTIONS: readonly OptionSpec[] = OPTIONS.filter((o) => !NOT_IN_CONFIG.has(o.name));

/** Keys with a shape of their own, besides the flat options. */
export const SHAPED_KEYS = ['paths', 'kubeconfig', 'helm', 'remediate', 'ignore', 'accept-risk'] as const;

export function optionSpec(name: string): OptionSpec {
  return OPTIONS.find((o) => o.name === name)!;
}

type JsonSchema = Record<string, unknown>;

function optionSchema(option: OptionSpec): JsonSchema {
  const description = option.description;
  switch (option.kind) {
    case 'boolean':
      return { type: 'boolean', description };
    case 'number':
      return { type: 'integer', description };
    case 'list':
      return { $ref: '#/$defs/stringList', description };
    default:
      return option.choices
        ? { type: 'string', enum: [...option.choices], description }
        : { type: 'string', description };
  }
}

function settingsProperties(): Record<string, JsonSchema> {
  const properties: Record<string, JsonSchema> = {
    paths: { $ref: '#/$defs/stringList', description: optionSpec('path').description },
    kubeconfig: { $ref: '#/$defs/kubeconfig' },
    helm: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(HELM_KEYS.map((k) => [k, optionSchema(optionSpec(`helm-${k}`))])),
    },
    remediate: {
      description: optionSpec('remediate').description,
      anyOf: [
        { type: 'boolean' },
        {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(REMEDIATE_KEYS.map((k) => [k, optionSchema(optionSpec(k))])),
        },
      ],
    },
    ignore: {
      type: 'array',
      description: 'Ignore rules in Flux shape: [{paths: [JSON pointers], target: {kind, name, ...}}].',
      items: { type: 'object' },
    },
    'accept-risk': {
      type: 'array',
      description:
        'Risk findings accepted: [{rule, object (Kind/namespace/name, * wildcards), reason}], listed as accepted with the reason.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'object', 'reason'],
        properties: {
          rule: { enum: [...RISK_RULE_IDS] },
          object: { type: 'string' },
          reason: { type: 'string' },
        },
      },
    },
  };
  for (const option of FLAT_OPTIONS) properties[option.name] = optionSchema(option);
  return properties;
}

/** The JSON Schema of kube-drift.yaml (schema/config.schema.json is this, written out). */
export function configSchema(): JsonSchema {
  const settings = settingsProperties();
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://kube-drift.dev/schema/config.schema.json',
    title: 'kube-drift.yaml',
    description: 'Targets of kube-drift (clusters and path sets) and the defaults they share.',
    type: 'object',
    additionalProperties: false,
    required: ['targets'],
    properties: {
      defaults: { type: 'object', additionalProperties: false, properties: settings },
      targets: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', description: optionSpec('target').description },
            ...settings,
          },
        },
      },
    },
    $defs: {
      stringList: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      kubeconfig: {
        description:
          'Where the kubeconfig comes from: an environment variable holding its content (plain or base64), or a file.',
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['env'],
            properties: { env: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['file'],
            properties: { file: { type: 'string', minLength: 1 } },
          },
        ],
      },
    },
  };
}
