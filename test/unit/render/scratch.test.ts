// Scratch directories for tools' inputs: private (0700), under RUNNER_TEMP when set, and gone
// when the process ends even if nobody removed them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { scratchDir } from '../../../src/render/scratch.ts';

describe('scratchDir', () => {
  it('is 0700, under RUNNER_TEMP, and remove() deletes it', async () => {
    const runnerTemp = mkdtempSync(join(tmpdir(), 'kube-drift-runner-temp-'));
    try {
      const scratch = scratchDir('values', { RUNNER_TEMP: runnerTemp });
      assert.equal(dirname(scratch.path), runnerTemp);
      assert.equal(statSync(scratch.path).mode & 0o777, 0o700);
      await scratch.remove();
      assert.equal(existsSync(scratch.path), false);
    } finally {
      rmSync(runnerTemp, { recursive: true, force: true });
    }
  });

  it('is removed when the process exits without removing it', () => {
    const module = new URL('../../../src/render/scratch.ts', import.meta.url).href;
    const script = `import('${module}').then(({ scratchDir }) => {
      const { path } = scratchDir('left');
      require('node:fs').writeFileSync(path + '/values.yaml', 'password: x');
      console.log(path);
      process.exit(3);
    });`;
    let path = '';
    try {
      execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      assert.equal(failed.status, 3);
      path = failed.stdout.trim();
    }
    assert.ok(path.includes('kube-drift-left-'), path);
    assert.equal(existsSync(path), false, `${path} was left behind`);
  });
});
