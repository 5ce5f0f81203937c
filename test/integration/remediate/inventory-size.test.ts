// A large target's inventory against the real API server, which refuses a ConfigMap over 1 MiB:
// 30,000 entries (about 1.9 MB as plain JSON) are written gzipped and read back whole, and the
// inventory turns plain again when the target shrinks, leaving no stale compressed copy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ObjectRef } from '../../../src/model.ts';
import {
  COMPRESSED_MARKER,
  encodeInventory,
  inventoryName,
  readInventory,
  writeInventory,
} from '../../../src/remediate/inventory.ts';
import { kubectlOk, type TestNamespace, withNamespace } from '../../support/cluster.ts';
import { type Connected, connect, uniqueTarget } from './support.ts';

function refs(count: number, namespace: string): ObjectRef[] {
  return Array.from({ length: count }, (_, i) => ({
    group: i % 2 ? 'apps' : '',
    version: 'v1',
    kind: i % 2 ? 'Deployment' : 'ConfigMap',
    namespace: `${namespace}-${i % 20}`,
    name: `service-${i.toString().padStart(6, '0')}-configuration-with-a-long-name`,
  }));
}

const byIdentity = (a: ObjectRef, b: ObjectRef) => encodeInventory([a]).localeCompare(encodeInventory([b]));

describe('an inventory larger than a ConfigMap holds as plain text', { timeout: 120_000 }, () => {
  let conn: Connected;
  let ns: TestNamespace;
  const target = uniqueTarget('large');
  const writer = { owner: 'github.com/kube-drift-tests/large', paths: ['apps'] };
  const field = (path: string) =>
    kubectlOk(['-n', ns.name, 'get', 'configmap', inventoryName(target), '-o', `jsonpath={${path}}`]);

  before(async () => {
    conn = await connect();
    ns = await withNamespace('inventory-size');
  });
  after(async () => {
    await ns?.cleanup();
    conn?.close();
  });

  it('writes 30,000 entries gzipped and reads every one back', async () => {
    const large = refs(30_000, ns.name);
    assert.ok(encodeInventory(large).length > 1024 * 1024, 'plain entries must exceed 1 MiB');
    await writeInventory(conn.cluster, target, ns.name, large, writer, 'kube-drift');
    const read = await readInventory(conn.cluster, target, ns.name);
    assert.equal(read.entries.length, 30_000);
    assert.deepEqual([...read.entries].sort(byIdentity), [...large].sort(byIdentity));
    assert.equal(read.owner, writer.owner);
    assert.equal(await field('.data.entries'), COMPRESSED_MARKER);
  });

  it('turns plain again when the target shrinks, with no compressed copy left', async () => {
    const small = refs(3, ns.name);
    await writeInventory(conn.cluster, target, ns.name, small, writer, 'kube-drift');
    const read = await readInventory(conn.cluster, target, ns.name);
    assert.deepEqual([...read.entries].sort(byIdentity), [...small].sort(byIdentity));
    assert.equal(await field('.binaryData'), '');
    assert.equal(await field('.data.entries'), encodeInventory(small));
  });
});
