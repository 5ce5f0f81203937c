// The in-sync proof compares Git with live as the server stores Git (stored-form.ts): defaults
// the schema publishes or the built-in table holds, zeros and empty lists a built-in type never
// stores, quantities in canonical form. Each class of noise public projects' manifests showed in
// client mode (bench/client-corpus.ts), and next to it an edit the proof must still catch. The
// schemas are shaped and named as kube-apiserver 1.35 publishes them; the integration test
// test/integration/drift/client-noise.test.ts checks the same against the real server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaListSemantics } from '../../../src/drift/list-semantics.ts';
import { differences } from '../../../src/drift/proof.ts';
import type { OpenApiDocument, OpenApiSchema } from '../../../src/kube/openapi.ts';
import type { KubeObject } from '../../../src/model.ts';

const CORE = 'io.k8s.api.core.v1.';
const ref = (name: string): OpenApiSchema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
const STRING_MAP: OpenApiSchema = { type: 'object', additionalProperties: { type: 'string' } };
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
const SHARED: Record<string, OpenApiSchema> = {
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
      env: keyed(`${CORE}EnvVar`, ['name']),
      volumeMounts: keyed(`${CORE}VolumeMount`, ['mountPath']),
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

const APPS: OpenApiDocument = {
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

const NETWORKING: OpenApiDocument = {
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

const RBAC: OpenApiDocument = {
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
const EXAMPLE: OpenApiDocument = {
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
const APIEXTENSIONS: OpenApiDocument = {
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
const ADMISSION: OpenApiDocument = {
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

const lists = schemaListSemantics(
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
type Loose = any;

function object(apiVersion: string, kind: string, body: Loose): KubeObject {
  return { apiVersion, kind, metadata: { name: 'x' }, ...body } as KubeObject;
}

/** What client mode makes of Git against live: in sync, drift (a certain difference), or not verifiable. */
function verdict(git: KubeObject, live: KubeObject): string {
  const found = differences({ applyObject: git, live, fieldManager: 'kube-drift', lists });
  if (found.length === 0) return 'in sync';
  const first = found.find((d) => d.certain) ?? found[0];
  return `${first.certain ? 'drift' : 'not verifiable'} at ${first.pointer}`;
}

const deployment = (spec: Loose) => object('apps/v1', 'Deployment', { spec });
const pod = (podSpec: Loose) => deployment({ template: { spec: podSpec } });
const statefulSet = (claim: Loose) =>
  object('apps/v1', 'StatefulSet', { spec: { volumeClaimTemplates: [claim] } });
const policy = (port: Loose) =>
  object('networking.k8s.io/v1', 'NetworkPolicy', { spec: { ingress: [{ ports: [port] }] } });
const binding = (subject: Loose) =>
  object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', { subjects: [subject] });
const container = (extra: Loose) => pod({ containers: [{ name: 'app', image: 'app:1', ...extra }] });
const env = (valueFrom: Loose) => container({ env: [{ name: 'NS', valueFrom }] });
const claim = (spec: Loose) => ({ metadata: { name: 'data' }, spec });
const storedClaim = (spec: Loose) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data' },
  spec,
  status: { phase: 'Pending' },
});
const webhook = (rule: Loose) =>
  object('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', {
    webhooks: [{ name: 'w.example.com', rules: [rule] }],
  });
const admissionPolicy = (matchConstraints: Loose) =>
  object('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', { spec: { matchConstraints } });
const probe = (endpoint: Loose) => object('example.com/v1', 'Probe', { spec: { endpoints: [endpoint] } });

describe('client mode compares Git as the server stores it', () => {
  const cases: [string, KubeObject, KubeObject, string][] = [
    // A non-pointer field tagged omitempty: the server stores 0 as nothing.
    ['minReadySeconds: 0, absent live', deployment({ minReadySeconds: 0 }), deployment({}), 'in sync'],
    [
      'minReadySeconds: 0 against 10 live (the apply clears it)',
      deployment({ minReadySeconds: 0 }),
      deployment({ minReadySeconds: 10 }),
      'not verifiable at /spec/minReadySeconds',
    ],
    [
      'replicas: 0 (a pointer: its zero is stored), absent live',
      deployment({ replicas: 0 }),
      deployment({}),
      'drift at /spec/replicas',
    ],
    ['hostNetwork: false, absent live', pod({ hostNetwork: false }), pod({}), 'in sync'],
    [
      'another image live (a field whose zero is not stored, with a value: surely a change)',
      container({}),
      pod({ containers: [{ name: 'app', image: 'app:2' }] }),
      'drift at /spec/template/spec/containers/0/image',
    ],
    [
      'readOnly: false in a volume mount, absent live',
      container({ volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: false }] }),
      container({ volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
      'in sync',
    ],
    [
      'empty supplementalGroups and sysctls, absent live',
      pod({ securityContext: { runAsNonRoot: true, supplementalGroups: [], sysctls: [] } }),
      pod({ securityContext: { runAsNonRoot: true } }),
      'in sync',
    ],
    [
      'empty supplementalGroups against groups live',
      pod({ securityContext: { supplementalGroups: [] } }),
      pod({ securityContext: { supplementalGroups: [1000] } }),
      'not verifiable at /spec/template/spec/securityContext/supplementalGroups',
    ],
    ['nodeSelector: {}, absent live', pod({ nodeSelector: {} }), pod({}), 'in sync'],
    [
      'creationTimestamp: null (kubectl create --dry-run -o yaml), in the template and the object',
      object('apps/v1', 'Deployment', {
        metadata: { name: 'x', creationTimestamp: null },
        spec: { template: { metadata: { creationTimestamp: null } } },
      }),
      object('apps/v1', 'Deployment', {
        metadata: { name: 'x', creationTimestamp: '2026-12-02T14:00:00Z' },
        spec: { template: { metadata: {} } },
      }),
      'in sync',
    ],
    [
      "a custom resource's null is a value",
      object('example.com/v1', 'Probe', { spec: { endpoints: null } }),
      object('example.com/v1', 'Probe', { spec: {} }),
      'not verifiable at /spec/endpoints',
    ],
    // Defaults inside atomic structures, which the apply replaces whole.
    [
      'a NetworkPolicy port without protocol, TCP live',
      policy({ port: 443 }),
      policy({ port: 443, protocol: 'TCP' }),
      'in sync',
    ],
    [
      'a NetworkPolicy port without protocol, UDP live',
      policy({ port: 443 }),
      policy({ port: 443, protocol: 'UDP' }),
      'not verifiable at /spec/ingress',
    ],
    [
      'a downward API fieldRef without apiVersion, v1 live',
      env({ fieldRef: { fieldPath: 'metadata.namespace' } }),
      env({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }),
      'in sync',
    ],
    [
      'a downward API fieldRef to another field live',
      env({ fieldRef: { fieldPath: 'metadata.namespace' } }),
      env({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }),
      'not verifiable at /spec/template/spec/containers/0/env/0/valueFrom/fieldRef',
    ],
    [
      'a resourceFieldRef without divisor, "0" live',
      env({ resourceFieldRef: { resource: 'limits.cpu' } }),
      env({ resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } }),
      'in sync',
    ],
    [
      'a volumeClaimTemplate with the StatefulSet defaults live, its size written otherwise',
      statefulSet(claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } })),
      statefulSet(
        storedClaim({
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
          volumeMode: 'Filesystem',
        }),
      ),
      'in sync',
    ],
    [
      'a volumeClaimTemplate whose volumeMode is Block live',
      statefulSet(claim({ accessModes: ['ReadWriteOnce'] })),
      statefulSet(storedClaim({ accessModes: ['ReadWriteOnce'], resources: {}, volumeMode: 'Block' })),
      'not verifiable at /spec/volumeClaimTemplates',
    ],
    [
      'a volumeClaimTemplate of another size live',
      statefulSet(claim({ resources: { requests: { storage: '1Gi' } } })),
      statefulSet(storedClaim({ resources: { requests: { storage: '2Gi' } }, volumeMode: 'Filesystem' })),
      'not verifiable at /spec/volumeClaimTemplates',
    ],
    [
      "a User subject without apiGroup, RBAC's group live",
      binding({ kind: 'User', name: 'jane' }),
      binding({ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }),
      'in sync',
    ],
    [
      "a ServiceAccount subject without apiGroup, RBAC's group live (never its default)",
      binding({ kind: 'ServiceAccount', name: 'app', namespace: 'x' }),
      binding({ kind: 'ServiceAccount', name: 'app', namespace: 'x', apiGroup: 'rbac.authorization.k8s.io' }),
      'not verifiable at /subjects',
    ],
    [
      "a CRD version's empty printer columns (a Go slice: not stored)",
      object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {
        spec: { versions: [{ name: 'v1', served: true, additionalPrinterColumns: [] }] },
      }),
      object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {
        spec: { versions: [{ name: 'v1', served: true }] },
      }),
      'in sync',
    ],
    [
      "a webhook's rule without scope, * live",
      webhook({ apiGroups: ['cert-manager.io'], operations: ['CREATE'], resources: ['*/*'] }),
      webhook({ apiGroups: ['cert-manager.io'], operations: ['CREATE'], resources: ['*/*'], scope: '*' }),
      'in sync',
    ],
    [
      "a webhook's rule without scope, Namespaced live",
      webhook({ apiGroups: ['cert-manager.io'] }),
      webhook({ apiGroups: ['cert-manager.io'], scope: 'Namespaced' }),
      'not verifiable at /webhooks/0/rules',
    ],
    [
      "a ValidatingAdmissionPolicy's match constraints with the defaults live",
      admissionPolicy({ resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'] }] }),
      admissionPolicy({
        resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'], scope: '*' }],
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
      }),
      'in sync',
    ],
    [
      "a ValidatingAdmissionPolicy's match constraints with a namespace selector live",
      admissionPolicy({ resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'] }] }),
      admissionPolicy({
        resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'], scope: '*' }],
        matchPolicy: 'Equivalent',
        namespaceSelector: { matchLabels: { team: 'a' } },
        objectSelector: {},
      }),
      'not verifiable at /spec/matchConstraints',
    ],
    [
      "a custom resource's published default inside an atomic list",
      probe({ port: 'web' }),
      probe({ port: 'web', interval: '30s' }),
      'in sync',
    ],
    [
      "a custom resource's list element with another value than the default live",
      probe({ port: 'web' }),
      probe({ port: 'web', interval: '10s' }),
      'not verifiable at /spec/endpoints',
    ],
    [
      "a custom resource's empty list is stored as written (no Go slice)",
      object('example.com/v1', 'Probe', { spec: { endpoints: [] } }),
      object('example.com/v1', 'Probe', { spec: {} }),
      'not verifiable at /spec/endpoints',
    ],
  ];
  for (const [name, git, live, expected] of cases) {
    it(name, () => assert.equal(verdict(git, live), expected));
  }
});
