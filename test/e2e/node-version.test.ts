// The bundle on a Node.js older than package.json's engines (the machine's own /usr/bin/node,
// Node 20): `node cli.js diff` and the action's index.js stop before the bundle loads, with
// exit status 2 and a message saying which Node.js is needed and how to get it, instead of a
// TypeError from inside undici. The bundle is built fresh into a temporary directory, so the
// test checks src/ and tools/bundle.mjs, not whatever dist/ holds.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAtLeast } from '../../src/node-version.ts';
import { REPO_ROOT } from '../support/cluster.ts';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const MINIMUM = /^>=(\d+\.\d+)$/.exec(pkg.engines.node)?.[1] ?? '';

/**
 * A Node.js older than the minimum: every `node` on PATH (as `which -a node`) and in the
 * system directories, except the one npm installs under node_modules.
 */
function oldNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/bin'];
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (!dir || dir.includes('node_modules')) continue;
    const path = join(dir, 'node');
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const real = realpathSync(path);
    if (seen.has(real) || real.includes('node_modules')) continue;
    seen.add(real);
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
    if (!isAtLeast(version, MINIMUM)) return { path, version };
  }
  return undefined;
}

describe(`the bundle on a Node.js older than ${MINIMUM}`, { timeout: 120_000 }, () => {
  let out: string;
  let node: { path: string; version: string };

  before(() => {
    assert.match(MINIMUM, /^\d+\.\d+$/, `package.json engines.node is ${pkg.engines.node}`);
    const found = oldNode();
    // Never skipped: this machine image (and CI, which runs on it) has Node 20 as /usr/bin/node.
    assert.ok(found, `no Node.js older than ${MINIMUM} on PATH or in /usr/bin, /usr/local/bin, /bin`);
    node = found;
    out = mkdtempSync(join(tmpdir(), 'kube-drift-bundle-'));
    execFileSync(process.execPath, ['tools/bundle.mjs', out], { cwd: REPO_ROOT, stdio: 'pipe' });
    // As installed: the bundle sits in a package whose package.json says it is ES modules.
    writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  });
  after(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const run = (nodePath: string, entry: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(nodePath, [join(out, entry), ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      timeout: 60_000,
    });

  it('cli.js diff exits 2 and says which Node.js is needed and how to get it', () => {
    const result = run(node.path, 'cli.js', ['diff', '--path', 'deploy', '--kubeconfig', '/nonexistent']);
    assert.equal(result.status, 2, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.ok(
      result.stderr.startsWith(
        `kube-drift needs Node.js ${MINIMUM} or newer, but this is Node.js ${node.version} (${node.path}).\n`,
      ),
      result.stderr,
    );
    assert.match(result.stderr, /`npm ci` installs Node\.js 24 as node_modules\/\.bin\/node/);
    assert.match(result.stderr, /install Node\.js 24/);
    assert.doesNotMatch(result.stderr, /TypeError|undici|at /);
  });

  it('the action entry exits 2 with a workflow error on the runner', () => {
    const result = run(node.path, 'index.js', [], { GITHUB_ACTIONS: 'true' });
    assert.equal(result.status, 2, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.equal(
      result.stdout,
      `::error::kube-drift needs Node.js ${MINIMUM} or newer, but this is Node.js ${node.version} (${node.path}).\n`,
    );
    assert.match(result.stderr, /runs\.using: node24/);
  });

  it('on this Node.js the same entry loads the bundle and runs', () => {
    const version = run(process.execPath, 'cli.js', ['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);
    // An error inside the bundle keeps its own exit status and message.
    const missing = run(process.execPath, 'cli.js', [
      'diff',
      '--path',
      'deploy',
      '--kubeconfig',
      '/nonexistent',
    ]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /kubeconfig file \/nonexistent does not exist/);
    assert.doesNotMatch(missing.stderr, /needs Node\.js/);
  });
});
