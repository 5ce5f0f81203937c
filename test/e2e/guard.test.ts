// The bundle's entry as users run it (node cli.js): the guard holds V8's young generation at its
// initial size, ends with 2 when an exception escapes, and keeps Node.js's compile cache in a
// directory of the user's own. What a user sees must not change: exit statuses, colour and
// progress on a terminal, and a run that goes on without a cache when the cache directory is
// not safely its own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubeconfigPath, REPO_ROOT, type TestNamespace } from '../support/cluster.ts';
import { freshBundle } from './support/bundle.ts';
import { APP_FIXTURE, appNamespace, scale } from './support/scenario.ts';

const uid = process.getuid?.() ?? 0;
/** The start of an ANSI colour sequence. */
const ESCAPE = '\u001b[';

function runCli(args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: string[] = []) {
  return spawnSync(process.execPath, [...nodeFlags, freshBundle().cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 120_000,
  });
}

/** Every file under `dir`, at any depth. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe('the compile cache', { timeout: 180_000 }, () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kube-drift-guard-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('is kept in a directory only the user can read and write', () => {
    const own = join(tmp, 'own');
    mkdirSync(own);
    for (let run = 0; run < 2; run++) {
      const result = runCli(['--version'], { TMPDIR: own });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
    }
    const cache = join(own, `kube-drift-compile-cache-${uid}`);
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.ok(filesUnder(cache).length > 0, 'the cache directory is empty');
  });

  it('is not used when others can write to its directory, and the run goes on', () => {
    const shared = join(tmp, 'shared');
    const cache = join(shared, `kube-drift-compile-cache-${uid}`);
    mkdirSync(cache, { recursive: true });
    chmodSync(cache, 0o777);
    const result = runCli(['--version'], { TMPDIR: shared });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(filesUnder(cache), []);
  });

  it('is left out when the temporary directory does not exist', () => {
    const result = runCli(['--version'], { TMPDIR: join(tmp, 'missing') });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('the CLI as users run it', { timeout: 180_000 }, () => {
  let namespace: TestNamespace;
  before(async () => {
    namespace = await appNamespace('guard');
    await scale(namespace.name, 3);
  });
  after(() => namespace?.cleanup());

  const diffArgs = () => [
    'diff',
    '--path',
    join(REPO_ROOT, APP_FIXTURE),
    '--namespace',
    namespace.name,
    '--kubeconfig',
    kubeconfigPath(),
  ];

  it('exits 1 on drift, and colours nothing when stdout is not a terminal', () => {
    const result = runCli(diffArgs());
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /Deployment.*web/);
    assert.ok(!result.stdout.includes(ESCAPE), result.stdout);
    assert.doesNotMatch(result.stderr, /objects compared/);
  });

  it('colours the diff and shows progress on a terminal', () => {
    // script(1) gives the command a pseudo-terminal for stdin, stdout and stderr, and -e
    // returns the command's exit status.
    const command = [process.execPath, freshBundle().cli, ...diffArgs()]
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' },
      timeout: 120_000,
    });
    assert.equal(result.status, 1, result.stdout);
    assert.ok(result.stdout.includes(ESCAPE), result.stdout);
    assert.match(result.stdout, /2\/2 objects compared/);
  });
});

describe('the young generation', { timeout: 180_000 }, () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kube-drift-young-'));
    const configMaps = Array.from(
      { length: 1500 },
      (_, i) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ns-${i % 20}\n  labels: {app: a${i}, tier: t${i % 7}}\ndata:\n  key: value-${i}\n  other: "${'x'.repeat(i % 50)}"\n`,
    );
    writeFileSync(join(tmp, 'objects.yaml'), configMaps.join('---\n'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('stays at its initial size while 1,500 objects are rendered', () => {
    // Samples the new space's size as the run goes (without the guard's flag it grows to 8 MB here).
    const sampler = `data:text/javascript,${encodeURIComponent(
      'import v8 from "node:v8"; let most = 0;' +
        'const sample = () => { const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === "new_space"); most = Math.max(most, s.space_size); };' +
        'setInterval(sample, 2).unref();' +
        'process.on("exit", () => { sample(); process.stderr.write(`new space: ${most}\\n`); });',
    )}`;
    const result = runCli(['render', '--path', tmp], {}, ['--import', sampler]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.match(/^kind: ConfigMap$/gm)?.length, 1500);
    const most = Number(/new space: (\d+)/.exec(result.stderr)?.[1]);
    assert.ok(most > 0 && most <= 4 * 2 ** 20, `the new space grew to ${most} bytes`);
    assert.doesNotMatch(result.stderr, /unrecognized flag/);
  });

  it('ends the run with 2 when an exception escapes the bundle', () => {
    // A module preloaded by --import throws from a timer once the bundle has started.
    const thrower = `data:text/javascript,${encodeURIComponent('setTimeout(() => { throw new Error("escaped on purpose"); }, 0);')}`;
    const result = runCli(['render', '--path', tmp], {}, ['--import', thrower]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^kube-drift: Error: escaped on purpose/m);
  });
});
