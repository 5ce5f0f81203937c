// recordingReads: every path the confinement lets a task read, named as in the user's checkout
// (a copy's paths mapped back, a symlink both as written and where it leads); refused paths
// and paths checked outside a recording are not recorded.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { confinement, escapes, recordingReads, treeViolations } from '../../../src/render/confine.ts';

const top = realpathSync(mkdtempSync(join(tmpdir(), 'kube-drift-recording-')));
const repo = join(top, 'repo');
const copy = join(top, 'copy');
for (const root of [repo, copy]) {
  mkdirSync(join(root, 'base'), { recursive: true });
  writeFileSync(join(root, 'base/cm.yaml'), 'kind: ConfigMap\n');
  symlinkSync('base/cm.yaml', join(root, 'link.yaml'));
}
writeFileSync(join(top, 'outside.yaml'), 'kind: Secret\n');

describe('recordingReads', () => {
  it('records allowed paths, symlinks as written and resolved, and no refused path', async () => {
    const c = confinement(repo);
    const recorded = await recordingReads(async () => {
      assert.equal(escapes(c, join(repo, 'link.yaml')), undefined);
      assert.equal(escapes(c, join(repo, 'base')), undefined);
      assert.equal(escapes(c, join(top, 'outside.yaml')), 'is outside the repository');
      return 'done';
    });
    assert.equal(recorded.result, 'done');
    assert.deepEqual([...recorded.trees], []);
    assert.deepEqual(
      [...recorded.paths].sort(),
      [join(repo, 'base'), join(repo, 'base/cm.yaml'), join(repo, 'link.yaml')].sort(),
    );
  });

  it("names a copy's paths as the checkout's, and keeps what was recorded when the task fails", async () => {
    const c = confinement(copy, undefined, repo);
    const recorded = await recordingReads(async () => {
      escapes(c, join(copy, 'base/cm.yaml'));
      throw new Error('kustomize failed');
    });
    assert.equal((recorded.error as Error).message, 'kustomize failed');
    assert.deepEqual([...recorded.paths], [join(repo, 'base/cm.yaml')]);
  });

  it('records nothing outside a recording, and recordings running at once stay apart', async () => {
    const c = confinement(repo);
    escapes(c, join(repo, 'base/cm.yaml'));
    const [a, b] = await Promise.all([
      recordingReads(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        escapes(c, join(repo, 'base'));
      }),
      recordingReads(async () => {
        escapes(c, join(repo, 'base/cm.yaml'));
      }),
    ]);
    assert.deepEqual([...a.paths], [join(repo, 'base')]);
    assert.deepEqual([...b.paths], [join(repo, 'base/cm.yaml')]);
  });

  it('records a directory loaded whole (a chart) as a tree', async () => {
    const c = confinement(repo);
    const recorded = await recordingReads(async () => treeViolations(c, join(repo, 'base'), 'Chart.yaml'));
    assert.deepEqual(recorded.result, []);
    assert.deepEqual([...recorded.trees], [join(repo, 'base')]);
  });
});
