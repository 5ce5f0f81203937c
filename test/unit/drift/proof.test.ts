// The in-sync proof, table-driven: each case is a live object against Git's, and the proof must
// hold only where a server-side apply provably changes nothing. The schema below is shaped as
// kube-apiserver 1.35 publishes apps/v1 (allOf-wrapped $refs, atomic LabelSelector, keyed
// lists); the integration test (test/integration/drift/verify.test.ts) checks the same against
// the real server's schemas and dry-runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_LIST_SEMANTICS, schemaListSemantics } from '../../../src/drift/list-semantics.ts';
import { differences, proveInSync } from '../../../src/drift/proof.ts';
import { alwaysDryRun } from '../../../src/drift/verify.ts';
import type { OpenApiDocument, OpenApiSchema } from '../../../src/kube/openapi.ts';
import type { KubeObject } from '../../../src/model.ts';

const ref = (name: string): OpenApiSchema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const STRING_MAP: OpenApiSchema = { type: 'object', additionalProperties: { type: 'string' } };

const APPS: OpenApiDocument = {
  components: {
    schemas: {
      Deployment: {
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'Deployment' }],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: ref('ObjectMeta'),
          spec: ref('DeploymentSpec'),
          status: { type: 'object', properties: { replicas: { type: 'integer' } } },
        },
      },
      DeploymentSpec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          paused: { type: 'boolean' },
          selector: ref('LabelSelector'),
          template: ref('PodTemplateSpec'),
        },
      },
      LabelSelector: {
        type: 'object',
        'x-kubernetes-map-type': 'atomic',
        properties: {
          matchLabels: STRING_MAP,
          matchExpressions: { type: 'array', items: { type: 'object' } },
        },
      },
      PodTemplateSpec: { type: 'object', properties: { metadata: ref('ObjectMeta'), spec: ref('PodSpec') } },
      PodSpec: {
        type: 'object',
        properties: {
          containers: {
            type: 'array',
            items: ref('Container'),
            'x-kubernetes-list-map-keys': ['name'],
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-patch-merge-key': 'name',
            'x-kubernetes-patch-strategy': 'merge',
          },
          tolerations: { type: 'array', items: ref('Toleration'), 'x-kubernetes-list-type': 'atomic' },
        },
      },
      Toleration: { type: 'object', properties: { key: { type: 'string' }, operator: { type: 'string' } } },
      Container: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          image: { type: 'string' },
          imagePullPolicy: { type: 'string' },
          args: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
          ports: {
            type: 'array',
            items: ref('ContainerPort'),
            'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
            'x-kubernetes-list-type': 'map',
          },
          resources: ref('ResourceRequirements'),
          settings: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
      ContainerPort: {
        type: 'object',
        properties: {
          containerPort: { type: 'integer' },
          protocol: { type: 'string' },
          name: { type: 'string' },
        },
      },
      ResourceRequirements: {
        type: 'object',
        properties: { limits: { type: 'object', additionalProperties: ref(QUANTITY) } },
      },
      [QUANTITY]: { type: 'string' },
      ObjectMeta: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          namespace: { type: 'string' },
          labels: STRING_MAP,
          annotations: STRING_MAP,
          finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
          creationTimestamp: { type: 'string' },
        },
      },
    },
  },
};

// biome-ignore lint/suspicious/noExplicitAny: test objects are edited freely by each case
type Loose = any;

const lists = schemaListSemantics(new Map([['apps/v1', APPS]]));

/** Git's Deployment; `edit` changes a copy. */
function git(edit: (d: Loose) => void = () => {}): KubeObject {
  const d: Loose = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', 'kube-drift.dev/name': 'shop' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              args: ['--port', '8080'],
              ports: [{ containerPort: 8080 }],
              resources: { limits: { cpu: '500m', memory: '128Mi' } },
            },
          ],
        },
      },
    },
  };
  edit(d);
  return d as KubeObject;
}

/** The live object after kube-drift applied `git()`: server defaults added, its own managed fields. */
function live(edit: (d: Loose) => void = () => {}): KubeObject {
  const d: Loose = git();
  d.metadata = { ...d.metadata, uid: 'u1', resourceVersion: '7', generation: 1 };
  d.metadata.managedFields = [
    {
      manager: 'kube-drift',
      operation: 'Apply',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {}, 'f:kube-drift.dev/name': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"web"}': {
                  '.': {},
                  'f:name': {},
                  'f:image': {},
                  'f:args': {},
                  'f:ports': {
                    'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                  },
                  'f:resources': { 'f:limits': { 'f:cpu': {}, 'f:memory': {} } },
                },
              },
            },
          },
        },
      },
    },
    { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', fieldsV1: {} },
  ];
  const container = d.spec.template.spec.containers[0];
  container.imagePullPolicy = 'IfNotPresent';
  container.ports[0].protocol = 'TCP';
  d.spec.template.spec.restartPolicy = 'Always';
  d.spec.strategy = { type: 'RollingUpdate' };
  d.status = { replicas: 2 };
  edit(d);
  return d as KubeObject;
}

function prove(g: KubeObject, l: KubeObject): string {
  const proof = proveInSync({ applyObject: g, live: l, fieldManager: 'kube-drift', lists });
  return proof.holds ? 'holds' : proof.reason;
}

const containerOf = (d: Loose) => d.spec.template.spec.containers[0];

describe('the in-sync proof', () => {
  const cases: [string, KubeObject, KubeObject, string][] = [
    ['Git as applied, server defaults live', git(), live(), 'holds'],
    [
      'a quantity in another form, compared as the server stores it (cpu: 0.5 against 500m)',
      git((d) => {
        containerOf(d).resources.limits.cpu = 0.5;
      }),
      live(),
      'holds',
    ],
    [
      'a quantity the server canonicalized (1000m against 1, 0.125Gi against 128Mi)',
      git((d) => {
        containerOf(d).resources.limits = { cpu: '1000m', memory: '0.125Gi' };
      }),
      live((d) => {
        containerOf(d).resources.limits = { cpu: '1', memory: '128Mi' };
      }),
      'holds',
    ],
    [
      'a quantity of another value',
      git((d) => {
        containerOf(d).resources.limits.cpu = 0.6;
      }),
      live(),
      '/spec/template/spec/containers/0/resources/limits/cpu: a different value live',
    ],
    [
      'a quantity whose stored form is not certain (past the suffix table)',
      git((d) => {
        containerOf(d).resources.limits.cpu = '1000E';
      }),
      live((d) => {
        containerOf(d).resources.limits.cpu = '1e21';
      }),
      '/spec/template/spec/containers/0/resources/limits/cpu: a different value live',
    ],
    [
      'a number where live has the same digits as a string, in a field that is no quantity',
      git((d) => {
        d.metadata.labels.app = 5;
      }),
      live((d) => {
        d.metadata.labels.app = '5';
      }),
      '/metadata/labels/app: a different value live',
    ],
    [
      'an int-or-string as a string in Git, a number live',
      git((d) => {
        containerOf(d).ports[0].containerPort = '8080';
      }),
      live(),
      '/spec/template/spec/containers/0/ports/0: no such element live',
    ],
    [
      'Git sets {} where live has nothing',
      git((d) => {
        d.spec.template.spec.securityContext = {};
      }),
      live(),
      '/spec/template/spec/securityContext: not set live',
    ],
    [
      'Git sets [] where live has elements',
      git((d) => {
        d.spec.template.spec.tolerations = [];
      }),
      live((d) => {
        d.spec.template.spec.tolerations = [{ key: 'a', operator: 'Exists' }];
      }),
      '/spec/template/spec/tolerations: Git sets []',
    ],
    [
      'a scaled Deployment',
      git(),
      live((d) => {
        d.spec.replicas = 5;
      }),
      '/spec/replicas: a different value live',
    ],
    [
      'a label changed by hand',
      git(),
      live((d) => {
        d.metadata.labels.app = 'other';
      }),
      '/metadata/labels/app: a different value live',
    ],
    [
      'a label added by hand: left to the managed fields',
      git(),
      live((d) => (d.metadata.labels.hotfix = 'y')),
      'holds',
    ],
    [
      'an atomic map with more live (a selector expression added)',
      git(),
      live((d) => {
        d.spec.selector.matchExpressions = [{ key: 'x', operator: 'Exists' }];
      }),
      '/spec/selector: an atomic map that differs live',
    ],
    [
      'an atomic list with server defaults inside',
      git((d) => {
        d.spec.template.spec.tolerations = [{ key: 'a' }];
      }),
      live((d) => {
        d.spec.template.spec.tolerations = [{ key: 'a', operator: 'Equal' }];
      }),
      '/spec/template/spec/tolerations: an atomic list that differs live',
    ],
    [
      'an atomic list of scalars in another order',
      git(),
      live((d) => {
        containerOf(d).args = ['8080', '--port'];
      }),
      '/spec/template/spec/containers/0/args: an atomic list that differs live',
    ],
    [
      'a container added by hand after Git’s',
      git(),
      live((d) => {
        d.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
      }),
      'holds',
    ],
    [
      'containers in another order live',
      git((d) => {
        d.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
      }),
      live((d) => {
        d.spec.template.spec.containers.unshift({ name: 'sidecar', image: 'busybox' });
      }),
      '/spec/template/spec/containers/1: in another order live',
    ],
    [
      'a container Git adds',
      git((d) => {
        d.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
      }),
      live(),
      '/spec/template/spec/containers/1: no such element live',
    ],
    [
      'two live elements with one key',
      git(),
      live((d) => {
        d.spec.template.spec.containers.push({ name: 'web', image: 'other' });
      }),
      '/spec/template/spec/containers: list elements without their keys, or repeated',
    ],
    [
      'null in Git (of a type the schema does not name a built-in one)',
      git((d) => {
        d.spec.paused = null;
      }),
      live(),
      '/spec/paused: Git sets null',
    ],
    ['status in Git', git((d) => (d.status = { replicas: 2 })), live(), '/status: Git sets status'],
    [
      'a field no schema covers: compared whole',
      git((d) => {
        containerOf(d).settings = { a: { b: 1 } };
      }),
      live((d) => {
        containerOf(d).settings = { a: { b: 1, c: 2 } };
      }),
      '/spec/template/spec/containers/0/settings: a map no schema covers that differs live',
    ],
    [
      'a field removed from Git that kube-drift applied before',
      git((d) => {
        delete containerOf(d).args;
      }),
      live(),
      '/spec/template/spec/containers/0/args: kube-drift applied it before and Git no longer sets it',
    ],
    [
      'a label removed from Git that kube-drift applied before',
      git((d) => {
        delete d.metadata.labels.app;
      }),
      live(),
      '/metadata/labels/app: kube-drift applied it before and Git no longer sets it',
    ],
    ['a port whose protocol Git leaves to the default, keyed as the server keys it', git(), live(), 'holds'],
    [
      'another apiVersion live',
      git(),
      live((d) => {
        d.apiVersion = 'apps/v1beta2';
      }),
      'Git names another apiVersion or kind',
    ],
  ];
  for (const [name, g, l, expected] of cases) it(name, () => assert.equal(prove(g, l), expected));

  it('leaves kube-drift’s own labels out: an object another tool applied is proved too', () => {
    const unlabelled = live((d) => {
      delete d.metadata.labels['kube-drift.dev/name'];
    });
    assert.equal(prove(git(), unlabelled), 'holds');
    const bare = git((d) => {
      d.metadata.labels = { 'kube-drift.dev/name': 'shop' };
    });
    const noLabels = live((d) => {
      d.metadata.labels = undefined;
      d.metadata.managedFields = [];
    });
    assert.equal(prove(bare, noLabels), 'holds');
  });

  it('tells the differences the apply surely makes (client mode reports them) from those only the server can explain', () => {
    const certainty = (g: KubeObject, l: KubeObject) =>
      differences({ applyObject: g, live: l, fieldManager: 'kube-drift', lists }).map(
        (d) => `${d.pointer} ${d.certain ? 'certain' : 'uncertain'}`,
      );
    const edited = live((d) => {
      d.spec.replicas = 5;
      delete d.metadata.labels.app;
      containerOf(d).args = ['--port', '9090'];
      containerOf(d).resources.limits.cpu = '2';
      d.spec.template.spec.tolerations = [{ key: 'a', operator: 'Equal' }];
    });
    const withGit = git((d) => {
      d.spec.template.spec.tolerations = [{ key: 'a' }];
      d.spec.template.spec.securityContext = {};
      containerOf(d).resources.limits.cpu = 0.5;
      delete containerOf(d).ports;
    });
    assert.deepEqual(certainty(withGit, edited), [
      '/metadata/labels/app certain',
      '/spec/replicas certain',
      '/spec/template/spec/containers/0/args certain',
      '/spec/template/spec/containers/0/resources/limits/cpu certain',
      '/spec/template/spec/tolerations uncertain',
      '/spec/template/spec/securityContext uncertain',
      // kube-drift applied the ports and nobody else owns them: applying Git removes them.
      '/spec/template/spec/containers/0/ports certain',
    ]);
    assert.deepEqual(certainty(git(), live()), []);
  });

  it('proves nothing without the server’s schemas', () => {
    const proof = proveInSync({
      applyObject: git(),
      live: live(),
      fieldManager: 'kube-drift',
      lists: BUILTIN_LIST_SEMANTICS,
    });
    assert.deepEqual(proof, { holds: false, reason: 'the server published no schema for this kind' });
  });

  it('takes a Secret’s stringData as the server stores it, under data', () => {
    const secretLists = schemaListSemantics(
      new Map([
        [
          'v1',
          {
            components: {
              schemas: {
                Secret: {
                  type: 'object',
                  'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Secret' }],
                  properties: { metadata: ref('ObjectMeta'), data: STRING_MAP, stringData: STRING_MAP },
                },
                ObjectMeta: APPS.components!.schemas!.ObjectMeta,
              },
            },
          },
        ],
      ]),
    );
    const secret = (body: Record<string, unknown>) =>
      ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'shop' },
        ...body,
      }) as KubeObject;
    const check = (g: KubeObject, l: KubeObject) =>
      proveInSync({ applyObject: g, live: l, fieldManager: 'kube-drift', lists: secretLists });
    const stored = secret({ data: { password: Buffer.from('hunter2').toString('base64') }, type: 'Opaque' });
    assert.deepEqual(check(secret({ stringData: { password: 'hunter2' } }), stored), { holds: true });
    assert.equal(check(secret({ stringData: { password: 'other' } }), stored).holds, false);

    // stringData kube-drift applied before is never stored: Git now setting the same value under
    // data (an encrypted Secret compared with live values) changes nothing; a data key it owned does.
    const applied = (fields: Record<string, unknown>) =>
      ({
        ...stored,
        metadata: {
          ...stored.metadata,
          managedFields: [{ manager: 'kube-drift', operation: 'Apply', fieldsV1: fields }],
        },
      }) as KubeObject;
    const viaStringData = applied({ 'f:stringData': { 'f:password': {} }, 'f:type': {} });
    assert.deepEqual(check(secret({ data: stored.data, type: 'Opaque' }), viaStringData), { holds: true });
    const viaData = applied({ 'f:data': { 'f:password': {} }, 'f:type': {} });
    assert.deepEqual(check(secret({ type: 'Opaque' }), viaData), {
      holds: false,
      reason: '/data: kube-drift applied it before and Git no longer sets it',
    });
  });

  it('always dry-runs the kinds the settings list, by kind or kind.group', () => {
    const ingress = { group: 'networking.k8s.io', kind: 'Ingress' };
    assert.equal(alwaysDryRun(ingress, ['Ingress']), true);
    assert.equal(alwaysDryRun(ingress, ['Ingress.networking.k8s.io']), true);
    assert.equal(alwaysDryRun(ingress, ['Ingress.extensions']), false);
    assert.equal(alwaysDryRun({ group: '', kind: 'Secret' }, ['Secret.']), true);
    assert.equal(alwaysDryRun(ingress, []), false);
  });
});
