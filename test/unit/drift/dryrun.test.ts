// Dry-run outcomes as a typed union: the API server's answers (Status bodies as kube-apiserver
// gives them) replayed through a scripted stand-in for the three verbs a dry-run uses.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DryRunContext, type DryRunOutcome, dryRun, failureOf } from '../../../src/drift/dryrun.ts';
import { BUILTIN_LIST_SEMANTICS } from '../../../src/drift/list-semantics.ts';
import { takeoverMatcher } from '../../../src/drift/managers.ts';
import { KubeApiError, KubeConnectionError } from '../../../src/kube/errors.ts';
import type { ClusterObjects } from '../../../src/kube/objects.ts';
import { type KubeObject, refOf } from '../../../src/model.ts';

type StatusBody = ConstructorParameters<typeof KubeApiError>[1];
const apiError = (code: number, body: StatusBody) =>
  new KubeApiError(code, body, 'https://127.0.0.1:6443', {
    verb: 'dry-run apply',
    subject: 'ConfigMap/shop/app',
  });

const STATUS = {
  forbidden: apiError(403, {
    reason: 'Forbidden',
    message: 'configmaps "app" is forbidden: User "ci" cannot patch',
  }),
  conflict: apiError(409, {
    reason: 'Conflict',
    message: 'Apply failed with 1 conflict',
    details: {
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.data.mode' }],
    },
  }),
  immutable: apiError(422, {
    reason: 'Invalid',
    message: 'is invalid: spec.selector: Invalid value: {}: field is immutable',
    details: {
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: {}: field is immutable',
          field: 'spec.selector',
        },
      ],
    },
  }),
  invalid: apiError(422, {
    reason: 'Invalid',
    message: 'is invalid: data.mode: Invalid value',
    details: { causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value', field: 'data.mode' }] },
  }),
  namespaceMissing: apiError(404, {
    reason: 'NotFound',
    message: 'namespaces "shop" not found',
    details: { name: 'shop', kind: 'namespaces' },
  }),
  otherNamespaceMissing: apiError(404, {
    reason: 'NotFound',
    message: 'namespaces "elsewhere" not found',
    details: { name: 'elsewhere', kind: 'namespaces' },
  }),
  internal: apiError(500, { reason: 'InternalError', message: 'failed calling webhook' }),
  throttled: apiError(429, { reason: 'TooManyRequests', message: 'rate limited' }),
};
const unreachable = new KubeConnectionError(
  'https://127.0.0.1:6443',
  { verb: 'dry-run apply', subject: 'ConfigMap/shop/app' },
  Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
);

describe('failureOf', () => {
  const table: [string, unknown, DryRunOutcome['kind']][] = [
    ['403', STATUS.forbidden, 'forbidden'],
    ['409 field-manager conflict', STATUS.conflict, 'conflict'],
    ['422 immutable field', STATUS.immutable, 'immutable'],
    ['422 other validation', STATUS.invalid, 'invalid'],
    ['500 from a webhook', STATUS.internal, 'failed'],
    ['404', STATUS.namespaceMissing, 'failed'],
    ['429 after the retry budget', STATUS.throttled, 'unreachable'],
    ['no connection', unreachable, 'unreachable'],
    ['not an API answer', new TypeError('bad'), 'failed'],
  ];
  for (const [name, error, kind] of table) {
    it(`${name} → ${kind}`, () => {
      const outcome = failureOf(error);
      assert.equal(outcome.kind, kind);
      assert.equal(outcome.error, error);
    });
  }
  it('keeps the fields the server named', () => {
    const outcome = failureOf(STATUS.immutable);
    assert.deepEqual('refusal' in outcome && outcome.refusal, {
      kind: 'immutable',
      fields: ['spec.selector'],
    });
  });
});

const git: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'app', namespace: 'shop' },
  data: { mode: 'fast' },
};
const stored = (rv: string, mode: string): KubeObject => ({
  ...git,
  metadata: { ...git.metadata, resourceVersion: rv },
  data: { mode },
});

const modeOf = (object: KubeObject) => (object.data as { mode?: string } | undefined)?.mode;

/** Answers each verb from a script, in order, and records the calls. */
function scripted(script: { apply?: (KubeObject | Error)[]; get?: (KubeObject | null | Error)[] }) {
  const calls: string[] = [];
  const next = <T>(list: (T | Error)[] | undefined, verb: string): T => {
    calls.push(verb);
    const answer = list?.shift();
    if (answer === undefined) throw new Error(`unexpected ${verb}`);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const cluster: Pick<ClusterObjects, 'get' | 'apply' | 'update'> = {
    apply: async () => next(script.apply, 'apply'),
    get: async () => next(script.get, 'get'),
    update: async () => next<KubeObject>([], 'update'),
  };
  return { cluster, calls };
}

function context(cluster: DryRunContext['cluster'], diffMode: DryRunContext['diffMode'] = 'server') {
  const warnings: string[] = [];
  const ctx: DryRunContext = {
    cluster,
    fieldManager: 'kube-drift',
    diffMode,
    isTakeover: takeoverMatcher(),
    newNamespaces: new Set(['shop']),
    lists: BUILTIN_LIST_SEMANTICS,
    onClientMode: (error) => warnings.push(error.message),
  };
  return { ctx, warnings };
}

interface Row {
  name: string;
  mode?: DryRunContext['diffMode'];
  live: KubeObject | null;
  script: Parameters<typeof scripted>[0];
  kind: DryRunOutcome['kind'];
  calls: string[];
  check?: (outcome: DryRunOutcome, warnings: string[]) => void;
}

const rows: Row[] = [
  {
    name: 'the object exists: applied, with its prediction and live object',
    live: stored('5', 'slow'),
    script: { apply: [stored('5', 'fast')] },
    kind: 'applied',
    calls: ['apply'],
    check: (o) => assert.equal(o.kind === 'applied' && modeOf(o.predicted), 'fast'),
  },
  {
    name: 'it does not exist: would-create, from the server',
    live: null,
    script: { apply: [stored('', 'fast')] },
    kind: 'would-create',
    calls: ['apply'],
    check: (o) => assert.equal(o.kind === 'would-create' && o.mode, 'server'),
  },
  {
    name: 'a controller wrote it since the live read: read again, compare the same revision',
    live: stored('5', 'slow'),
    script: { apply: [stored('6', 'fast')], get: [stored('6', 'slow')] },
    kind: 'applied',
    calls: ['apply', 'get'],
    check: (o) => assert.equal(o.kind === 'applied' && o.live.metadata.resourceVersion, '6'),
  },
  {
    name: 'it moved on again: dry-run again',
    live: stored('5', 'slow'),
    script: { apply: [stored('6', 'fast'), stored('7', 'fast')], get: [stored('7', 'slow')] },
    kind: 'applied',
    calls: ['apply', 'get', 'apply'],
    check: (o) => assert.equal(o.kind === 'applied' && o.predicted.metadata.resourceVersion, '7'),
  },
  {
    name: 'its namespace is new in this change: would-create, pending the namespace',
    live: null,
    script: { apply: [STATUS.namespaceMissing] },
    kind: 'would-create',
    calls: ['apply'],
    check: (o) => assert.equal(o.kind === 'would-create' && o.pending, 'namespace'),
  },
  {
    name: 'a namespace Git does not create is missing: failed',
    live: null,
    script: { apply: [STATUS.otherNamespaceMissing] },
    kind: 'failed',
    calls: ['apply'],
  },
  {
    name: 'forbidden in server mode',
    live: null,
    script: { apply: [STATUS.forbidden] },
    kind: 'forbidden',
    calls: ['apply'],
  },
  {
    name: 'forbidden in auto mode: client mode, with a warning',
    mode: 'auto',
    live: stored('5', 'slow'),
    script: { apply: [STATUS.forbidden] },
    kind: 'applied',
    calls: ['apply'],
    check: (o, warnings) => {
      assert.equal(o.kind === 'applied' && o.mode, 'client');
      assert.equal(o.kind === 'applied' && modeOf(o.predicted), 'fast');
      assert.equal(warnings.length, 1);
    },
  },
  {
    name: 'client mode asks the server nothing',
    mode: 'client',
    live: null,
    script: {},
    kind: 'would-create',
    calls: [],
    check: (o) => assert.equal(o.kind === 'would-create' && o.mode, 'client'),
  },
  {
    name: 'a conflict',
    live: stored('5', 'slow'),
    script: { apply: [STATUS.conflict] },
    kind: 'conflict',
    calls: ['apply'],
  },
  {
    name: 'an immutable field',
    live: stored('5', 'slow'),
    script: { apply: [STATUS.immutable] },
    kind: 'immutable',
    calls: ['apply'],
  },
  {
    name: 'the server went away while re-reading: unreachable',
    live: stored('5', 'slow'),
    script: { apply: [stored('6', 'fast')], get: [unreachable] },
    kind: 'unreachable',
    calls: ['apply', 'get'],
  },
];

describe('dryRun', () => {
  for (const row of rows) {
    it(row.name, async () => {
      const { cluster, calls } = scripted({
        apply: [...(row.script.apply ?? [])],
        get: [...(row.script.get ?? [])],
      });
      const { ctx, warnings } = context(cluster, row.mode);
      const outcome = await dryRun({ ref: refOf(git), applyObject: git, live: row.live }, ctx);
      assert.equal(outcome.kind, row.kind, 'error' in outcome ? String(outcome.error) : undefined);
      assert.deepEqual(calls, row.calls);
      row.check?.(outcome, warnings);
    });
  }
});
