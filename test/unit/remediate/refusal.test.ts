// A failed dry-run is recoverable only for a typed reason read from the API server's Status.
// The Status bodies below are what kube-apiserver 1.35 answered to the same requests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan, PlannedObject } from '../../../src/drift/plan.ts';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { type ApiRefusal, classifyRefusal } from '../../../src/kube/refusal.ts';
import type { KubeObject, ObjectRef } from '../../../src/model.ts';
import { planVerdict, recoveryOf } from '../../../src/remediate/verdict.ts';

type StatusBody = ConstructorParameters<typeof KubeApiError>[1];

function apiError(code: number, body: StatusBody): KubeApiError {
  return new KubeApiError(code, body, 'https://127.0.0.1:6443', { verb: 'dry-run apply', subject: 'X/ns/x' });
}

const STATUS = {
  jobTemplate: apiError(422, {
    reason: 'Invalid',
    message: 'Job.batch "j" is invalid: spec.template: Invalid value: {…}: field is immutable',
    details: {
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: {…}: field is immutable',
          field: 'spec.template',
        },
      ],
    },
  }),
  deploymentSelector: apiError(422, {
    reason: 'Invalid',
    message: 'Deployment.apps "web" is invalid: spec.selector: Invalid value: {…}: field is immutable',
    details: {
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: {"matchLabels":{"app":"other"}}: field is immutable',
          field: 'spec.selector',
        },
      ],
    },
  }),
  negativeReplicas: apiError(422, {
    reason: 'Invalid',
    message:
      'Deployment.apps "d" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    details: {
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: -1: must be greater than or equal to 0',
          field: 'spec.replicas',
        },
      ],
    },
  }),
  admissionPolicy: apiError(422, {
    reason: 'Invalid',
    message:
      "configmaps \"c\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'p' denied request: the field is immutable",
    details: {
      causes: [
        { message: "ValidatingAdmissionPolicy 'p' with binding 'p' denied request: field is immutable" },
      ],
    },
  }),
  rbac: apiError(403, {
    reason: 'Forbidden',
    message: 'secrets "s" is forbidden: User "system:serviceaccount:ns:sa" cannot patch resource "secrets"',
  }),
  webhook: apiError(403, {
    reason: 'Forbidden',
    message: 'admission webhook "deny.example.com" denied the request: field is immutable',
  }),
  managerConflict: apiError(409, {
    reason: 'Conflict',
    message: 'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.a',
    details: {
      causes: [
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "kubectl-create" using v1',
          field: '.data.a',
        },
      ],
    },
  }),
  staleRevision: apiError(409, {
    reason: 'Conflict',
    message: 'Operation cannot be fulfilled on configmaps "cc": the object has been modified',
  }),
  duplicatePort: apiError(422, {
    reason: 'Invalid',
    message: 'Service "web" is invalid: spec.ports[1].name: Duplicate value: "http"',
    details: {
      causes: [
        { reason: 'FieldValueDuplicate', message: 'Duplicate value: "http"', field: 'spec.ports[1].name' },
      ],
    },
  }),
  immutableAndInvalid: apiError(422, {
    reason: 'Invalid',
    message: 'Job.batch "j" is invalid: […]',
    details: {
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: {…}: field is immutable',
          field: 'spec.template',
        },
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: -1: must be greater than or equal to 0',
          field: 'spec.parallelism',
        },
      ],
    },
  }),
  pvcSpec: apiError(422, {
    reason: 'Invalid',
    message: 'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation',
    details: {
      causes: [
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: spec is immutable after creation',
          field: 'spec',
        },
      ],
    },
  }),
  notFound: apiError(404, { reason: 'NotFound', message: 'namespaces "gone" not found' }),
};

describe('classifyRefusal', () => {
  const cases: [keyof typeof STATUS, ApiRefusal][] = [
    ['jobTemplate', { kind: 'immutable', fields: ['spec.template'] }],
    ['deploymentSelector', { kind: 'immutable', fields: ['spec.selector'] }],
    ['negativeReplicas', { kind: 'invalid', fields: ['spec.replicas'] }],
    // A policy's own words ("field is immutable") are not the API's cause type.
    ['admissionPolicy', { kind: 'invalid', fields: [] }],
    ['rbac', { kind: 'forbidden' }],
    ['webhook', { kind: 'forbidden' }],
    ['managerConflict', { kind: 'field-conflict', fields: ['.data.a'] }],
    ['staleRevision', { kind: 'other' }],
    ['duplicatePort', { kind: 'field-conflict', fields: ['spec.ports[1].name'] }],
    ['immutableAndInvalid', { kind: 'invalid', fields: ['spec.template', 'spec.parallelism'] }],
    ['pvcSpec', { kind: 'invalid', fields: ['spec'] }],
    ['notFound', { kind: 'other' }],
  ];
  for (const [name, expected] of cases) {
    it(name, () => assert.deepEqual(classifyRefusal(STATUS[name]), expected));
  }
  it('anything that is not an API answer', () => {
    assert.deepEqual(classifyRefusal(new Error('field is immutable')), { kind: 'other' });
  });
});

describe('planVerdict', () => {
  const ref = (name: string): ObjectRef => ({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    namespace: 'ns',
    name,
  });
  /** Managed by kubectl by hand: a takeover has something to take. */
  const handEdited: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'x',
      namespace: 'ns',
      resourceVersion: '7',
      managedFields: [
        {
          manager: 'kubectl-edit',
          operation: 'Update',
          apiVersion: 'v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { 'f:a': {} } },
        },
      ],
    },
  };
  const planned = (
    name: string,
    error?: keyof typeof STATUS,
    live: KubeObject | null = handEdited,
  ): PlannedObject => {
    const r = ref(name);
    return {
      desired: {
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } },
        source: { file: 'a.yaml', line: 1 },
      },
      ref: r,
      entry: { ref: r, action: 'unchanged', changes: [], diff: '' },
      applyObject: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } },
      live,
      manualFields: [],
      ...(error
        ? {
            error: {
              message: STATUS[error].message,
              object: `ConfigMap/ns/${name}`,
              file: 'a.yaml',
              line: 1,
            },
            refusal: classifyRefusal(STATUS[error]),
          }
        : {}),
    };
  };
  const planOf = (objects: PlannedObject[]): Plan => ({
    objects,
    deletions: [],
    changeSet: {
      target: 't',
      entries: objects.filter((p) => !p.error).map((p) => p.entry),
      errors: objects.flatMap((p) => (p.error ? [p.error] : [])),
    },
  });
  const options = { force: false, dryRun: false, fieldManager: 'kube-drift' };

  const cases: {
    name: string;
    error: keyof typeof STATUS;
    force?: boolean;
    dryRun?: boolean;
    live?: KubeObject | null;
    recovery?: string;
  }[] = [
    { name: 'immutable with force: recreate', error: 'jobTemplate', force: true, recovery: 'recreate' },
    { name: 'immutable without force: refused', error: 'jobTemplate' },
    { name: 'immutable and invalid, with force: refused', error: 'immutableAndInvalid', force: true },
    {
      name: 'field-manager conflict on a hand-edited object: takeover',
      error: 'managerConflict',
      recovery: 'takeover',
    },
    {
      name: 'duplicate list key on a hand-edited object: takeover',
      error: 'duplicatePort',
      recovery: 'takeover',
    },
    {
      name: 'a conflict in a dry run: refused (a dry-run cannot show a takeover)',
      error: 'duplicatePort',
      dryRun: true,
    },
    {
      name: 'a conflict with nothing to take over: refused',
      error: 'managerConflict',
      live: { ...handEdited, metadata: { name: 'x' } },
    },
    { name: 'forbidden, even with force: refused', error: 'rbac', force: true },
    { name: 'an admission policy, even with force: refused', error: 'admissionPolicy', force: true },
    { name: 'a validation error, even with force: refused', error: 'negativeReplicas', force: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const bad = planned('bad', c.error, c.live === undefined ? handEdited : c.live);
      const good = planned('good');
      const opts = { ...options, force: !!c.force, dryRun: !!c.dryRun };
      const verdict = planVerdict(planOf([good, bad]), opts);
      assert.equal(recoveryOf(bad, opts)?.kind, c.recovery);
      if (c.recovery) {
        assert.deepEqual(verdict.errors, []);
        assert.equal(verdict.refusal, undefined);
        assert.equal(verdict.recoveries.get(bad)?.kind, c.recovery);
      } else {
        assert.equal(verdict.errors.length, 1);
        assert.match(verdict.refusal ?? '', /^not applied: the plan has 1 error \(ConfigMap\/ns\/bad: /);
      }
    });
  }

  it('says what to do about an immutable field without force', () => {
    const verdict = planVerdict(planOf([planned('bad', 'jobTemplate')]), options);
    assert.equal(
      verdict.errors[0].message,
      'ConfigMap/ns/bad: immutable field spec.template cannot be changed in place (the API server refuses the change). Set force to delete and recreate it, or change it back in Git.',
    );
    assert.match(verdict.refusal ?? '', /ConfigMap\/ns\/bad: an immutable field changes \(spec\.template\)/);
  });

  it('keeps errors that concern no planned object (an unknown kind) as refusals', () => {
    const plan = planOf([planned('good')]);
    plan.changeSet.errors.push({
      message: 'unknown kind example.com/v1 Widget',
      object: 'Widget/ns/w',
      file: 'w.yaml',
      line: 3,
    });
    const verdict = planVerdict(plan, { ...options, force: true });
    assert.equal(verdict.errors.length, 1);
    assert.match(verdict.refusal ?? '', /\(Widget\/ns\/w\)/);
  });
});
