// The size and header rule of `npm run lint`: files over 350 lines or without a one-line header
// fail, named with their length; a data table passes only with a marker that gives a reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SCRIPT = resolve(import.meta.dirname, '../../../tools/check-source-files.mjs');
const HEADER = '// What this file is for, in one line.';

function lines(count: number, first: string[] = [HEADER]): string {
  const body = Array.from({ length: count - first.length }, (_, i) => `export const a${i} = ${i};`);
  return `${[...first, ...body].join('\n')}\n`;
}

/** Runs the check on one file at src/x.ts; its exit status and what it printed. */
function check(text: string): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'source-files-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x.ts'), text);
    const run = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr.replaceAll(dir, 'src') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('tools/check-source-files.mjs', () => {
  const template = `${HEADER}\nexport const t = \`\n${'line\n'.repeat(360)}\`;\n`;
  const cases: [name: string, text: string, fails: RegExp | undefined][] = [
    ['350 lines with a header', lines(350), undefined],
    ['351 lines', lines(351), /^src\/sub\/x\.ts: 351 lines, over 350: split it/m],
    ['363 lines, most inside one template literal', template, /^src\/sub\/x\.ts: 363 lines, over 350/m],
    [
      '351 lines of a data table that says why',
      lines(351, [HEADER, '// size: data table, every kind in one place']),
      undefined,
    ],
    ['351 lines with a marker but no reason', lines(351, [HEADER, '// size: data table,']), /351 lines/],
    [
      'no header line',
      lines(10, ['import { a } from "./a.ts";']),
      /^src\/sub\/x\.ts:1: open the file with one comment line/m,
    ],
    ['a header too short to say anything', lines(10, ['// x']), /^src\/sub\/x\.ts:1: open the file/m],
  ];
  for (const [name, text, fails] of cases) {
    it(`${fails ? 'fails' : 'passes'}: ${name}`, () => {
      const { status, stderr } = check(text);
      if (!fails) {
        assert.equal(status, 0, stderr);
        return;
      }
      assert.equal(status, 1, stderr);
      assert.match(stderr, fails);
    });
  }
});
