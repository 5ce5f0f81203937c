import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holdIgnored } from '../../../src/drift/hold-ignored.ts';
import type { KubeObject } from '../../../src/model.ts';

const deployment = (replicas: number | undefined, resources?: unknown): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    ...(replicas === undefined ? {} : { replicas }),
    template: { spec: { containers: [{ name: 'a', ...(resources ? { resources } : {}) }, { name: 'b' }] } },
  },
});

describe('holdIgnored', () => {
  it('takes ignored values from live, wildcards included, and leaves the rest as Git has it', () => {
    const git = deployment(2, { limits: { cpu: '1' } });
    const live = deployment(5, { limits: { cpu: '3' } });
    const held = holdIgnored(git, live, ['/spec/replicas', '/spec/template/spec/containers/*/resources']);
    assert.deepEqual(held, deployment(5, { limits: { cpu: '3' } }));
    assert.deepEqual(git, deployment(2, { limits: { cpu: '1' } }), 'the input is untouched');
  });

  it('removes an ignored field live does not have, and adds one only live has', () => {
    assert.deepEqual(
      holdIgnored(deployment(2), deployment(undefined), ['/spec/replicas']),
      deployment(undefined),
    );
    const live = deployment(2);
    (live.metadata as Record<string, unknown>).annotations = { 'tuned/by': 'vpa' };
    const held = holdIgnored(deployment(2), live, ['/metadata/annotations/tuned~1by']);
    assert.deepEqual(held.metadata.annotations, { 'tuned/by': 'vpa' });
  });

  it('returns the object itself without pointers, and ignores the whole-object path', () => {
    const git = deployment(2);
    assert.equal(holdIgnored(git, deployment(3), []), git);
    assert.equal(holdIgnored(git, deployment(3), ['']), git);
  });
});
