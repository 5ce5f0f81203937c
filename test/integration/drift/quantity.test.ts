// Quantities as kube-apiserver stores them, against src/drift/quantity.ts: each input is written
// into a ResourceQuota (a resource list, as container limits and requests are) and read back;
// wherever storedQuantity claims to know the stored form, it must be exactly what came back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storedQuantity } from '../../../src/drift/quantity.ts';
import { kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';

const INPUTS: (string | number)[] = [
  ...['1Gi', '300Mi', '6Ki', '500m', '1G', '80m', '1e9', '80e-3', '3e3', '1025', '0', '1024Mi', '307200Ki'],
  ...[
    '1025024Mi',
    '1024Gi',
    '5000m',
    '0.5',
    0.5,
    '1000M',
    '0.001T',
    '1000u',
    '1.08',
    '1080000000n',
    '.001e12',
  ],
  ...[
    '0.001e0',
    '00',
    '.001Ki',
    ' 1',
    '1000m',
    2,
    '2000m',
    134217728,
    '1.5Gi',
    '0.5Gi',
    '2000',
    '1500',
    '1.5',
  ],
  ...[
    '100m',
    0.1,
    '1.',
    '+2',
    '00100m',
    '12e5',
    '1.5e3',
    '129e6',
    '1n',
    '1080u',
    '1000e-12',
    '3.001n',
    '1e-7',
  ],
];
const KEYS = [
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
  'requests.storage',
  'cpu',
  'memory',
];

describe('quantities as the server stores them', { timeout: 120_000 }, () => {
  let ns: TestNamespace;
  const stored = new Map<number, string>();

  before(async () => {
    ns = await withNamespace('quantity');
    for (let start = 0; start < INPUTS.length; start += KEYS.length) {
      const chunk = INPUTS.slice(start, start + KEYS.length);
      const hard = Object.fromEntries(chunk.map((value, i) => [KEYS[i], value]));
      const quota = {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: `q${start}` },
        spec: { hard },
      };
      await kubectlOk(['apply', '--server-side', '-n', ns.name, '-f', '-'], { input: JSON.stringify(quota) });
      const live = JSON.parse(
        await kubectlOk(['get', '-n', ns.name, 'resourcequota', `q${start}`, '-o', 'json']),
      );
      for (let i = 0; i < chunk.length; i++) stored.set(start + i, live.spec.hard[KEYS[i]]);
    }
  });
  after(async () => ns?.cleanup());

  it('is what storedQuantity says wherever it says anything, and it says something for most', () => {
    const known = INPUTS.map((input, i) => ({
      input,
      predicted: storedQuantity(input),
      live: stored.get(i),
    }));
    for (const { input, predicted, live } of known)
      if (predicted !== undefined)
        assert.equal(predicted, live, `${JSON.stringify(input)} is stored as ${live}`);
    const unknown = known.filter((k) => k.predicted === undefined).map((k) => k.input);
    assert.deepEqual(unknown, ['1n', '1080u', '1000e-12', '3.001n', '1e-7']);
  });
});
