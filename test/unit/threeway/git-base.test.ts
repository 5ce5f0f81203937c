// The base commit as files, with real git in a temporary repository: the tree comes out
// whole, the user's checkout is left alone, and a missing base says what to do.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../../src/errors.ts';
import { checkoutBase, gitToplevel, resolveCommit } from '../../../src/render/git-base.ts';
import { parseSettings } from '../../../src/settings.ts';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('checkoutBase', () => {
  let scratch: string;
  let repo: string;
  let baseSha: string;

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'kube-drift-git-base-'));
    repo = join(scratch, 'repo');
    mkdirSync(join(repo, 'deploy/apps'), { recursive: true });
    git(repo, 'init', '--quiet');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'test');
    writeFileSync(join(repo, 'deploy/apps/web.yaml'), 'image: web:1\n');
    writeFileSync(join(repo, '.gitattributes'), 'deploy/** export-ignore\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'base');
    baseSha = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(join(repo, 'deploy/apps/web.yaml'), 'image: web:2\n');
    git(repo, 'commit', '--quiet', '-am', 'head');
    // Uncommitted work in the checkout must survive.
    writeFileSync(join(repo, 'deploy/apps/web.yaml'), 'image: web:3-wip\n');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('writes the base tree to a temporary directory (export-ignore does not apply) and removes it on cleanup', async () => {
    const checkout = await checkoutBase(repo, 'HEAD~1');
    assert.equal(readFileSync(join(checkout.dir, 'deploy/apps/web.yaml'), 'utf8'), 'image: web:1\n');
    assert.ok(!checkout.dir.startsWith(repo));
    await checkout.cleanup();
    assert.equal(existsSync(checkout.dir), false);
  });

  it('leaves the checkout, its index and HEAD as they were', async () => {
    const before = [git(repo, 'status', '--porcelain'), git(repo, 'rev-parse', 'HEAD')];
    await (await checkoutBase(repo, baseSha)).cleanup();
    assert.deepEqual([git(repo, 'status', '--porcelain'), git(repo, 'rev-parse', 'HEAD')], before);
    assert.equal(readFileSync(join(repo, 'deploy/apps/web.yaml'), 'utf8'), 'image: web:3-wip\n');
  });

  it('resolves refs to commit SHAs and finds the top of the work tree from a subdirectory', async () => {
    assert.equal(await resolveCommit(repo, 'HEAD~1'), baseSha);
    assert.equal(await gitToplevel(join(repo, 'deploy/apps')), git(repo, 'rev-parse', '--show-toplevel'));
  });

  it('says the clone is shallow and to fetch more history when the base is missing', async () => {
    const shallow = join(scratch, 'shallow');
    git(scratch, 'clone', '--quiet', '--depth', '1', `file://${repo}`, shallow);
    await assert.rejects(checkoutBase(shallow, baseSha), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(
        error.message,
        new RegExp(`the base commit ${baseSha} is not in the Git clone at .* \\(a shallow clone\\)`),
      );
      assert.match(error.hint ?? '', /actions\/checkout with `fetch-depth: 0`/);
      return true;
    });
  });

  it('refuses a ref that looks like an option', async () => {
    await assert.rejects(
      resolveCommit(repo, '--output=/tmp/x'),
      /--base "--output=\/tmp\/x" is not a Git ref/,
    );
  });

  it('says so when the directory is not in a Git repository', async () => {
    await assert.rejects(gitToplevel(tmpdir()), /is not inside a Git repository/);
  });
});

describe('three-way settings', () => {
  const cli = { repoRoot: '/repo', isAction: false };
  it('defaults to auto and fail-on any', () => {
    const s = parseSettings('diff', {}, cli);
    assert.equal(s.threeWay, 'auto');
    assert.equal(s.failOn, 'any');
    assert.equal(s.base, undefined);
  });
  it('takes --base and --fail-on', () => {
    const s = parseSettings('diff', { base: 'origin/main', 'fail-on': 'drift' }, cli);
    assert.equal(s.base, 'origin/main');
    assert.equal(s.failOn, 'drift');
  });
  it('rejects --base with --three-way off, naming both', () => {
    assert.throws(
      () => parseSettings('diff', { base: 'main', 'three-way': 'off' }, cli),
      /--base asks for a three-way preview, but --three-way is off/,
    );
  });
  it('rejects fail-on pr or drift with three-way off, naming both', () => {
    for (const failOn of ['pr', 'drift']) {
      assert.throws(
        () =>
          parseSettings(
            'diff',
            { 'fail-on': failOn, 'three-way': 'off' },
            { repoRoot: '/repo', isAction: true },
          ),
        new RegExp(`input "fail-on" ${failOn} needs a three-way preview, but input "three-way" is off`),
      );
    }
    assert.equal(parseSettings('diff', { 'fail-on': 'any', 'three-way': 'off' }, cli).failOn, 'any');
  });
  it('rejects an unknown fail-on, quoting it', () => {
    assert.throws(
      () => parseSettings('diff', { 'fail-on': 'both' }, { repoRoot: '/repo', isAction: true }),
      /input "fail-on" must be one of any, drift, pr, not "both"/,
    );
  });
});
