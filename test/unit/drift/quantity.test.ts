// Quantities as the API server stores them. The expected strings are apimachinery's own
// (resource/quantity_test.go: TestQuantityString's canonical and alternate forms,
// TestQuantityParseEmit, TestJSONWhitespace) and what kube-apiserver 1.35 returned for a
// ResourceQuota written with each input (test/integration/drift/quantity.test.ts checks that live).
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
  ['1n', '1n'],
  ['1080u', '1080u'],
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
  ['1000u', '1m'],
  ['1.08', '1080m'],
  ['1080000000n', '1080m'],
  ['.001e12', '1e9'],
  ['0.001e0', '1e-3'],
  ['1000e-12', '1e-9'],
  ['00', '0'],
  ['.001Ki', '1024m'],
  ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'],
  ['.000000000001Ki', '2n'],
  ['-.001Ki', '-1024m'],
  ['-1024Mi', '-1Gi'],
  [' 1', '1'],
  ['1 ', '1'],
  [-1, '-1'],
  // Rounded up to nanos.
  ['3.001n', '4n'],
  ['0.00000012345', '124n'],
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
  // Not quantities, or past the suffix tables (the server's answer differs by release).
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
