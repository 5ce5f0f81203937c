// The action and the CLI are two faces of one flow: only src/flow.ts runs diff and converge,
// and the action fails through one setFailed. Checked on the sources so later work keeps it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../support/cluster.ts';

const source = (file: string) =>
  readFileSync(join(REPO_ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .join('\n');

const calls = (text: string, name: string) => text.match(new RegExp(`\\b${name}\\(`, 'g'))?.length ?? 0;

describe('one flow', () => {
  for (const face of ['src/main.ts', 'src/cli.ts']) {
    it(`${face} runs the flow and neither diff nor converge itself`, () => {
      const text = source(face);
      assert.equal(calls(text, 'runFlow'), 1);
      assert.equal(calls(text, 'diff'), 0);
      assert.equal(calls(text, 'converge'), 0);
      assert.equal(calls(text, 'exitStatus'), 0);
    });
  }

  it('src/flow.ts runs diff, exit status and converge once each', () => {
    const text = source('src/flow.ts');
    for (const name of ['diff', 'exitStatus', 'converge']) assert.equal(calls(text, name), 1, name);
  });

  it('the action fails through one setFailed', () => {
    assert.equal(calls(source('src/main.ts'), 'setFailed'), 1);
  });
});
