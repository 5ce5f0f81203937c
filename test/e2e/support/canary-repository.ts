// A repository whose Secret values also travel into other objects — a DSN in a ConfigMap, a
// container env literal, an annotation, a PEM key, HelmRelease values and valuesFrom, a Flux
// substituteFrom — with values that are new random bytes on every run, and the hand edits
// that make each of those objects drift in the cluster.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { stringify } from 'yaml';

/** Where each tree lives in the repository. */
export const PLAIN_PATH = 'plain';
export const FLUX_PATH = 'clusters/canary';
/** The HelmRelease's name; its chart names the ConfigMap it renders after it. */
export const RELEASE = 'canary';
/** The ConfigMaps whose dry-run fails: never applied to the cluster. */
export const INVALID_LABEL_CONFIGMAP = 'label-dsn';
export const POLICY_CONFIGMAP = 'policy-checked';

type Manifest = Record<string, unknown>;

/** A password-like value: random bytes, URL-safe, so that it fits in a DSN as people write them. */
function secretValue(): string {
  return randomBytes(18).toString('base64url');
}

function rsaKey(): string {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).privateKey;
}

export interface Canaries {
  dsn: string;
  env: string;
  annotation: string;
  /** The value a person gave the Secret in the cluster by hand: in no file of the repository. */
  live: string;
  pem: string;
  invalidLabel: string;
  admission: string;
  helmValues: string;
  valuesFrom: string;
  valuesFromKey: string;
  substitute: string;
}

export function newCanaries(): Canaries {
  return {
    dsn: secretValue(),
    env: secretValue(),
    annotation: secretValue(),
    live: secretValue(),
    pem: rsaKey(),
    invalidLabel: secretValue(),
    admission: secretValue(),
    helmValues: secretValue(),
    valuesFrom: secretValue(),
    valuesFromKey: secretValue(),
    substitute: secretValue(),
  };
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const dsn = (password: string, host = 'db') => `postgres://app:${password}@${host}:5432/app`;
const yamlOf = (manifests: Manifest[]) => manifests.map((m) => stringify(m)).join('---\n');

function secret(namespace: string, name: string, values: { data?: object; stringData?: object }): Manifest {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', ...values };
}

function configMap(namespace: string, name: string, data: object, metadata: object = {}): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...metadata }, data };
}

/** The plain manifests Git holds; the two whose dry-run fails come last. */
export function plainManifests(namespace: string, c: Canaries): { valid: Manifest[]; failing: Manifest[] } {
  const valid = [
    secret(namespace, 'db-credentials', { stringData: { password: c.dsn } }),
    secret(namespace, 'api-key', { data: { key: b64(c.env) } }),
    secret(namespace, 'callback-token', { stringData: { token: c.annotation } }),
    secret(namespace, 'session-key', { stringData: { key: secretValue() } }),
    secret(namespace, 'tls', { data: { 'tls.key': b64(c.pem) } }),
    secret(namespace, 'label-dsn', { stringData: { password: c.invalidLabel } }),
    secret(namespace, 'policy-token', { stringData: { token: c.admission } }),
    configMap(
      namespace,
      'app-config',
      { DATABASE_URL: dsn(c.dsn), LOG_LEVEL: 'info' },
      { annotations: { 'example.com/callback': `https://hooks.example.com/notify?token=${c.annotation}` } },
    ),
    configMap(namespace, 'session-config', { session: 'read from Secret session-key' }),
    configMap(namespace, 'tls-debug', { 'key.pem': c.pem }),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'worker', namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'worker' } },
        template: {
          metadata: { labels: { app: 'worker' } },
          spec: {
            containers: [
              {
                name: 'worker',
                image: 'registry.example.com/worker:1.0.0',
                env: [
                  { name: 'API_KEY', value: c.env },
                  { name: 'LOG_LEVEL', value: 'info' },
                ],
              },
            ],
          },
        },
      },
    },
  ];
  const failing = [
    // Label values cannot hold ':', '/' or '@': the API server refuses it, quoting the value.
    configMap(
      namespace,
      INVALID_LABEL_CONFIGMAP,
      { purpose: 'a DSN put in a label' },
      {
        labels: { 'example.com/dsn': dsn(c.invalidLabel) },
      },
    ),
    configMap(namespace, POLICY_CONFIGMAP, { token: c.admission }),
  ];
  return { valid, failing };
}

export interface Drift {
  kind: string;
  name: string;
  type: 'merge' | 'strategic';
  patch: object;
}

/** The hand edits that make each plain object drift from Git. */
export function plainDrift(c: Canaries): Drift[] {
  return [
    {
      kind: 'configmap',
      name: 'app-config',
      type: 'merge',
      patch: {
        metadata: {
          annotations: {
            'example.com/callback': `https://hooks.example.com/notify?token=${c.annotation}&v=2`,
          },
        },
        data: { DATABASE_URL: dsn(c.dsn, 'db-replica') },
      },
    },
    {
      kind: 'deployment',
      name: 'worker',
      type: 'strategic',
      patch: {
        spec: {
          template: {
            spec: { containers: [{ name: 'worker', env: [{ name: 'API_KEY', value: 'rotated-by-hand' }] }] },
          },
        },
      },
    },
    { kind: 'secret', name: 'session-key', type: 'merge', patch: { stringData: { key: c.live } } },
    {
      kind: 'configmap',
      name: 'session-config',
      type: 'merge',
      patch: { data: { session: `cookie=${c.live}` } },
    },
    {
      kind: 'configmap',
      name: 'tls-debug',
      type: 'merge',
      patch: { data: { 'key.pem': `${c.pem}# rotated\n` } },
    },
  ];
}

/** The hand edits that make the objects rendered by Flux drift. */
export function fluxDrift(c: Canaries): Drift[] {
  return [
    {
      kind: 'configmap',
      name: `${RELEASE}-config`,
      type: 'merge',
      patch: {
        data: {
          dsn: dsn(c.helmValues, 'db-replica'),
          token: `${c.valuesFrom}-old`,
          authToken: `${c.valuesFromKey}-old`,
        },
      },
    },
    {
      kind: 'configmap',
      name: 'substituted',
      type: 'merge',
      patch: { data: { DATABASE_URL: dsn(c.substitute, 'db-replica') } },
    },
  ];
}

const gitSource = { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' };

/** The Flux tree: Secrets and a HelmRelease at the cluster path, a Kustomization with postBuild, a chart in Git. */
function fluxFiles(namespace: string, c: Canaries): Record<string, string> {
  const release = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: RELEASE, namespace },
    spec: {
      interval: '10m',
      chart: { spec: { chart: './charts/canary', sourceRef: gitSource } },
      valuesFrom: [
        { kind: 'Secret', name: 'helm-values' },
        { kind: 'Secret', name: 'helm-token', valuesKey: 'token', targetPath: 'auth.token' },
      ],
      values: { dsn: dsn(c.helmValues) },
    },
  };
  const apps = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace },
    spec: {
      interval: '10m',
      path: './apps/canary',
      prune: true,
      sourceRef: gitSource,
      postBuild: { substituteFrom: [{ kind: 'Secret', name: 'app-vars' }] },
    },
  };
  return {
    [`${FLUX_PATH}/secrets.yaml`]: yamlOf([
      secret(namespace, 'app-vars', { stringData: { DB_PASSWORD: c.substitute } }),
      secret(namespace, 'helm-db', { stringData: { password: c.helmValues } }),
      secret(namespace, 'helm-values', { stringData: { 'values.yaml': `token: "${c.valuesFrom}"\n` } }),
      secret(namespace, 'helm-token', { data: { token: b64(c.valuesFromKey) } }),
    ]),
    [`${FLUX_PATH}/apps.yaml`]: yamlOf([apps]),
    [`${FLUX_PATH}/release.yaml`]: yamlOf([release]),
    // Written as people write it: Flux substitutes ${DB_PASSWORD} after the build.
    'apps/canary/substituted.yaml': yamlOf([
      configMap(namespace, 'substituted', { DATABASE_URL: dsn('${DB_PASSWORD}') }),
    ]),
    'charts/canary/Chart.yaml': yamlOf([{ apiVersion: 'v2', name: 'canary', version: '0.1.0' }]),
    'charts/canary/values.yaml': yamlOf([{ dsn: '', token: '', auth: { token: '' } }]),
    'charts/canary/templates/config.yaml': [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ .Release.Name }}-config',
      'data:',
      '  dsn: {{ .Values.dsn | quote }}',
      '  token: {{ .Values.token | quote }}',
      '  authToken: {{ .Values.auth.token | quote }}',
      '',
    ].join('\n'),
  };
}

/** Every file of the repository: the plain tree and the Flux tree. */
export function repositoryFiles(namespace: string, c: Canaries): Record<string, string> {
  const plain = plainManifests(namespace, c);
  return {
    [`${PLAIN_PATH}/app.yaml`]: yamlOf(plain.valid),
    [`${PLAIN_PATH}/failing.yaml`]: yamlOf(plain.failing),
    ...fluxFiles(namespace, c),
  };
}

export { yamlOf };
