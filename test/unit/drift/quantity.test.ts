// Quantities as the API server stores them. The expected strings are apimachinery's own
// (resource/quantity_test.go: TestQuantityString's canonical and alternate forms,
// TestQuantityParseEmit, TestJSONWhitespace), each checked against what kube-apiserver 1.35.4
// returned for a ResourceQuota written with the input (test/integration/drift/quantity.test.ts
// does that live). Values finer than milli are not certain: the server rounds resource lists
// up to milli (1n → 1m) but not other quantities, so they are left to the dry-run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storedQuantity } from '../../../src/drift/quantity.ts';

const CASES: [string | number, string | undefined][] = [
  // Kept as written: the parser's fast path finds them canonical already.
  ['1Gi', '1Gi'],
  ['300Mi', '300Mi'],
  ['6Ki', '6Ki'],
  ['500m', '500m'],
  ['1G', '1G'],
  ['80m', '80m'],
  ['1e9', '1e9'],
  ['80e-3', '80e-3'],
  ['3e3', '3e3'],
  ['1025', '1025'],
  ['0', '0'],
  // Rewritten to canonical form.
  ['1024Mi', '1Gi'],
  ['307200Ki', '300Mi'],
  ['1025024Mi', '1001Gi'],
  ['1024Gi', '1Ti'],
  ['5000m', '5'],
  ['0.5', '500m'],
  [0.5, '500m'],
  ['1000M', '1G'],
  ['0.001T', '1G'],
  ['1.08', '1080m'],
  ['.001e12', '1e9'],
  ['0.001e0', '1e-3'],
  ['00', '0'],
  ['.001Ki', '1024m'],
  ['-.001Ki', '-1024m'],
  ['-1024Mi', '-1Gi'],
  [' 1', '1'],
  ['1 ', '1'],
  [-1, '-1'],
  // Written by people.
  ['1000m', '1'],
  [2, '2'],
  ['2000m', '2'],
  [134217728, '134217728'],
  ['1.5Gi', '1536Mi'],
  ['0.5Gi', '512Mi'],
  ['2000', '2k'],
  ['1500', '1500'],
  ['1.5', '1500m'],
  ['100m', '100m'],
  [0.1, '100m'],
  // Exact to milli though written finer.
  ['1000u', '1m'],
  ['1080000000n', '1080m'],
  ['1.', '1.'],
  ['+2', '+2'],
  ['00100m', '00100m'],
  ['12e5', '1200e3'],
  ['1.5e3', '1500'],
  ['129e6', '129e6'],
  // Finer than milli: 1m in a resource list, 1n elsewhere.
  ['1n', undefined],
  ['1080u', undefined],
  ['1000e-12', undefined],
  ['.000001Ki', undefined],
  ['3.001n', undefined],
  ['1e-7', undefined],
  // Not quantities, or past the suffix tables (kube-apiserver 1.35.4 writes 1000E as 1).
  ['', undefined],
  ['abc', undefined],
  ['1Mi5', undefined],
  ['1e', undefined],
  ['1000E', undefined],
  [Number.NaN, undefined],
];

describe('quantities as the server stores them', () => {
  for (const [input, expected] of CASES)
    it(`${JSON.stringify(input)} → ${expected ?? 'unknown'}`, () =>
      assert.equal(storedQuantity(input), expected));
});
