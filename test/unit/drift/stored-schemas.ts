// OpenAPI v3 schemas shaped and named as kube-apiserver 1.35 publishes them, for the unit tests of
// what depends on the stored form (stored-form.ts): the in-sync proof and client mode's prediction.
import { schemaListSemantics } from '../../../src/drift/list-semantics.ts';
import type { OpenApiDocument, OpenApiSchema } from '../../../src/kube/openapi.ts';
import type { KubeObject } from '../../../src/model.ts';

const CORE = 'io.k8s.api.core.v1.';
const ref = (name: string): OpenApiSchema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
export const STRING_MAP: OpenApiSchema = { type: 'object', additionalProperties: { type: 'string' } };
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const keyed = (items: string, keys: string[]): OpenApiSchema => ({
  type: 'array',
  items: ref(items),
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': keys,
});
const atomic = (items: OpenApiSchema): OpenApiSchema => ({
  type: 'array',
  items,
  'x-kubernetes-list-type': 'atomic',
});
const kindOf = (group: string, version: string, kind: string) => ({
  'x-kubernetes-group-version-kind': [{ group, version, kind }],
});

/** Types every document holds: the core group's pod spec and PVCs, metadata, quantities. */
export const SHARED: Record<string, OpenApiSchema> = {
  [META]: {
    type: 'object',
    properties: { name: { type: 'string' }, labels: STRING_MAP, creationTimestamp: { type: 'string' } },
  },
  [QUANTITY]: { type: 'string' },
  [`${CORE}PodTemplateSpec`]: {
    type: 'object',
    properties: { metadata: { ...ref(META), default: {} }, spec: { ...ref(`${CORE}PodSpec`), default: {} } },
  },
  [`${CORE}PodSpec`]: {
    type: 'object',
    properties: {
      containers: keyed(`${CORE}Container`, ['name']),
      hostNetwork: { type: 'boolean' },
      securityContext: ref(`${CORE}PodSecurityContext`),
      nodeSelector: { ...STRING_MAP, 'x-kubernetes-map-type': 'atomic' },
    },
  },
  [`${CORE}PodSecurityContext`]: {
    type: 'object',
    properties: {
      runAsNonRoot: { type: 'boolean' },
      supplementalGroups: atomic({ type: 'integer' }),
      sysctls: atomic(ref(`${CORE}Sysctl`)),
    },
  },
  [`${CORE}Sysctl`]: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
  [`${CORE}Container`]: {
    type: 'object',
    properties: {
      name: { type: 'string', default: '' },
      image: { type: 'string' },
      resources: ref(`${CORE}ResourceRequirements`),
      env: keyed(`${CORE}EnvVar`, ['name']),
      volumeMounts: keyed(`${CORE}VolumeMount`, ['mountPath']),
    },
  },
  [`${CORE}ResourceRequirements`]: {
    type: 'object',
    properties: {
      limits: { type: 'object', additionalProperties: ref(QUANTITY) },
      requests: { type: 'object', additionalProperties: ref(QUANTITY) },
    },
  },
  [`${CORE}EnvVar`]: {
    type: 'object',
    properties: { name: { type: 'string', default: '' }, valueFrom: ref(`${CORE}EnvVarSource`) },
  },
  [`${CORE}EnvVarSource`]: {
    type: 'object',
    properties: {
      fieldRef: ref(`${CORE}ObjectFieldSelector`),
      resourceFieldRef: ref(`${CORE}ResourceFieldSelector`),
    },
  },
  [`${CORE}ObjectFieldSelector`]: {
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
    properties: { apiVersion: { type: 'string' }, fieldPath: { type: 'string', default: '' } },
  },
  [`${CORE}ResourceFieldSelector`]: {
    type: 'object',
    'x-kubernetes-map-type': 'atomic',
    properties: {
      containerName: { type: 'string' },
      resource: { type: 'string', default: '' },
      divisor: ref(QUANTITY),
    },
  },
  [`${CORE}VolumeMount`]: {
    type: 'object',
    properties: {
      name: { type: 'string', default: '' },
      mountPath: { type: 'string', default: '' },
      readOnly: { type: 'boolean' },
    },
  },
  [`${CORE}PersistentVolumeClaim`]: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { ...ref(META), default: {} },
      spec: { ...ref(`${CORE}PersistentVolumeClaimSpec`), default: {} },
      status: { ...ref(`${CORE}PersistentVolumeClaimStatus`), default: {} },
    },
  },
  [`${CORE}PersistentVolumeClaimSpec`]: {
    type: 'object',
    properties: {
      accessModes: atomic({ type: 'string' }),
      resources: { ...ref(`${CORE}VolumeResourceRequirements`), default: {} },
      volumeMode: { type: 'string' },
    },
  },
  [`${CORE}VolumeResourceRequirements`]: {
    type: 'object',
    properties: { requests: { type: 'object', additionalProperties: ref(QUANTITY) } },
  },
  [`${CORE}PersistentVolumeClaimStatus`]: { type: 'object', properties: { phase: { type: 'string' } } },
};

export const APPS: OpenApiDocument = {
  components: {
    schemas: {
      ...SHARED,
      'io.k8s.api.apps.v1.Deployment': {
        type: 'object',
        ...kindOf('apps', 'v1', 'Deployment'),
        properties: { metadata: ref(META), spec: ref('io.k8s.api.apps.v1.DeploymentSpec') },
      },
      'io.k8s.api.apps.v1.DeploymentSpec': {
        type: 'object',
        properties: {
          minReadySeconds: { type: 'integer' },
          replicas: { type: 'integer' },
          template: { ...ref(`${CORE}PodTemplateSpec`), default: {} },
        },
      },
      'io.k8s.api.apps.v1.StatefulSet': {
        type: 'object',
        ...kindOf('apps', 'v1', 'StatefulSet'),
        properties: { metadata: ref(META), spec: ref('io.k8s.api.apps.v1.StatefulSetSpec') },
      },
      'io.k8s.api.apps.v1.StatefulSetSpec': {
        type: 'object',
        properties: {
          template: { ...ref(`${CORE}PodTemplateSpec`), default: {} },
          volumeClaimTemplates: atomic(ref(`${CORE}PersistentVolumeClaim`)),
        },
      },
    },
  },
};

export const NETWORKING: OpenApiDocument = {
  components: {
    schemas: {
      ...SHARED,
      'io.k8s.api.networking.v1.NetworkPolicy': {
        type: 'object',
        ...kindOf('networking.k8s.io', 'v1', 'NetworkPolicy'),
        properties: { metadata: ref(META), spec: ref('io.k8s.api.networking.v1.NetworkPolicySpec') },
      },
      'io.k8s.api.networking.v1.NetworkPolicySpec': {
        type: 'object',
        properties: { ingress: atomic(ref('io.k8s.api.networking.v1.NetworkPolicyIngressRule')) },
      },
      'io.k8s.api.networking.v1.NetworkPolicyIngressRule': {
        type: 'object',
        properties: { ports: atomic(ref('io.k8s.api.networking.v1.NetworkPolicyPort')) },
      },
      'io.k8s.api.networking.v1.NetworkPolicyPort': {
        type: 'object',
        properties: { protocol: { type: 'string' }, port: { type: 'integer' } },
      },
    },
  },
};

export const RBAC: OpenApiDocument = {
  components: {
    schemas: {
      ...SHARED,
      'io.k8s.api.rbac.v1.ClusterRoleBinding': {
        type: 'object',
        ...kindOf('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding'),
        properties: { metadata: ref(META), subjects: atomic(ref('io.k8s.api.rbac.v1.Subject')) },
      },
      'io.k8s.api.rbac.v1.Subject': {
        type: 'object',
        'x-kubernetes-map-type': 'atomic',
        properties: {
          apiGroup: { type: 'string' },
          kind: { type: 'string', default: '' },
          name: { type: 'string', default: '' },
          namespace: { type: 'string' },
        },
      },
    },
  },
};

/** A custom resource whose CRD schema publishes a default inside an atomic list. */
export const EXAMPLE: OpenApiDocument = {
  components: {
    schemas: {
      [META]: SHARED[META],
      'com.example.v1.Probe': {
        type: 'object',
        ...kindOf('example.com', 'v1', 'Probe'),
        properties: {
          metadata: ref(META),
          spec: {
            type: 'object',
            properties: {
              endpoints: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { port: { type: 'string' }, interval: { type: 'string', default: '30s' } },
                },
              },
            },
          },
        },
      },
    },
  },
};

const EXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
export const APIEXTENSIONS: OpenApiDocument = {
  components: {
    schemas: {
      [META]: SHARED[META],
      [`${EXT}CustomResourceDefinition`]: {
        type: 'object',
        ...kindOf('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'),
        properties: { metadata: ref(META), spec: ref(`${EXT}CustomResourceDefinitionSpec`) },
      },
      [`${EXT}CustomResourceDefinitionSpec`]: {
        type: 'object',
        properties: { versions: atomic(ref(`${EXT}CustomResourceDefinitionVersion`)) },
      },
      [`${EXT}CustomResourceDefinitionVersion`]: {
        type: 'object',
        properties: {
          name: { type: 'string', default: '' },
          served: { type: 'boolean', default: false },
          additionalPrinterColumns: atomic({ type: 'object' }),
        },
      },
    },
  },
};

const ADM = 'io.k8s.api.admissionregistration.v1.';
const LABEL_SELECTOR = 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector';
export const ADMISSION: OpenApiDocument = {
  components: {
    schemas: {
      [META]: SHARED[META],
      [LABEL_SELECTOR]: {
        type: 'object',
        'x-kubernetes-map-type': 'atomic',
        properties: { matchLabels: STRING_MAP },
      },
      [`${ADM}ValidatingWebhookConfiguration`]: {
        type: 'object',
        ...kindOf('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration'),
        properties: { metadata: ref(META), webhooks: keyed(`${ADM}ValidatingWebhook`, ['name']) },
      },
      [`${ADM}ValidatingWebhook`]: {
        type: 'object',
        properties: {
          name: { type: 'string', default: '' },
          rules: atomic(ref(`${ADM}RuleWithOperations`)),
        },
      },
      [`${ADM}RuleWithOperations`]: {
        type: 'object',
        properties: {
          apiGroups: atomic({ type: 'string' }),
          operations: atomic({ type: 'string' }),
          resources: atomic({ type: 'string' }),
          scope: { type: 'string' },
        },
      },
      [`${ADM}ValidatingAdmissionPolicy`]: {
        type: 'object',
        ...kindOf('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy'),
        properties: { metadata: ref(META), spec: ref(`${ADM}ValidatingAdmissionPolicySpec`) },
      },
      [`${ADM}ValidatingAdmissionPolicySpec`]: {
        type: 'object',
        properties: { matchConstraints: ref(`${ADM}MatchResources`) },
      },
      [`${ADM}MatchResources`]: {
        type: 'object',
        'x-kubernetes-map-type': 'atomic',
        properties: {
          matchPolicy: { type: 'string' },
          namespaceSelector: ref(LABEL_SELECTOR),
          objectSelector: ref(LABEL_SELECTOR),
          resourceRules: atomic(ref(`${ADM}NamedRuleWithOperations`)),
        },
      },
      [`${ADM}NamedRuleWithOperations`]: {
        type: 'object',
        'x-kubernetes-map-type': 'atomic',
        properties: { apiGroups: atomic({ type: 'string' }), scope: { type: 'string' } },
      },
    },
  },
};

export const lists = schemaListSemantics(
  new Map([
    ['admissionregistration.k8s.io/v1', ADMISSION],
    ['apiextensions.k8s.io/v1', APIEXTENSIONS],
    ['apps/v1', APPS],
    ['networking.k8s.io/v1', NETWORKING],
    ['rbac.authorization.k8s.io/v1', RBAC],
    ['example.com/v1', EXAMPLE],
  ]),
);

// biome-ignore lint/suspicious/noExplicitAny: test objects are edited freely by each case
export type Loose = any;

export function object(apiVersion: string, kind: string, body: Loose): KubeObject {
  return { apiVersion, kind, metadata: { name: 'x' }, ...body } as KubeObject;
}

export const deployment = (spec: Loose) => object('apps/v1', 'Deployment', { spec });
export const pod = (podSpec: Loose) => deployment({ template: { spec: podSpec } });
export const statefulSet = (claim: Loose) =>
  object('apps/v1', 'StatefulSet', { spec: { volumeClaimTemplates: [claim] } });
export const policy = (port: Loose) =>
  object('networking.k8s.io/v1', 'NetworkPolicy', { spec: { ingress: [{ ports: [port] }] } });
export const binding = (subject: Loose) =>
  object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', { subjects: [subject] });
export const container = (extra: Loose) => pod({ containers: [{ name: 'app', image: 'app:1', ...extra }] });
export const env = (valueFrom: Loose) => container({ env: [{ name: 'NS', valueFrom }] });
export const claim = (spec: Loose) => ({ metadata: { name: 'data' }, spec });
export const storedClaim = (spec: Loose) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data' },
  spec,
  status: { phase: 'Pending' },
});
export const webhook = (rule: Loose) =>
  object('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', {
    webhooks: [{ name: 'w.example.com', rules: [rule] }],
  });
export const admissionPolicy = (matchConstraints: Loose) =>
  object('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', { spec: { matchConstraints } });
export const probe = (endpoint: Loose) =>
  object('example.com/v1', 'Probe', { spec: { endpoints: [endpoint] } });
