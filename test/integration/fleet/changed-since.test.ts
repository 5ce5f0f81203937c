// `kube-drift targets --changed-since REF` in a Git repository with three targets: two
// Kustomize overlays sharing a base outside their own paths, and a Helm chart with a values
// file of its own. Each change keeps exactly the targets whose render reads it (kustomize and
// helm really run), whose config entry changed, or whose ignore file changed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../../support/cli.ts';

const CONFIG = `defaults:
  namespace: fleet-changed
targets:
  - name: east
    paths: [clusters/east]
  - name: west
    paths: [clusters/west]
    ignore-file: ignore/west.yaml
  - name: charts
    paths: [charts/web]
    helm: { values: [values/charts.yaml] }
`;

const FILES: Record<string, string> = {
  'kube-drift.yaml': CONFIG,
  'README.md': '# fleet\n',
  'base/app/kustomization.yaml': 'resources: [configmap.yaml]\n',
  'base/app/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {color: blue}\n',
  'base/app/notes.md': 'not read by kustomize\n',
  'clusters/east/kustomization.yaml': 'resources: [../../base/app]\nnamePrefix: east-\n',
  'clusters/west/kustomization.yaml': 'resources: [../../base/app]\nnamePrefix: west-\n',
  'ignore/west.yaml': '- paths: [/data/color]\n',
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/values.yaml': 'replicas: 1\n',
  'charts/web/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {replicas: "{{ .Values.replicas }}"}\n',
  'values/charts.yaml': 'replicas: 2\n',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function write(repo: string, file: string, text: string): void {
  mkdirSync(dirname(join(repo, file)), { recursive: true });
  writeFileSync(join(repo, file), text);
}

interface Matrix {
  include: { target: string }[];
  unchanged: { target: string }[];
  since: string;
}

describe('kube-drift targets --changed-since', () => {
  let repo: string;
  let mainSha: string;
  const cwd = process.cwd();
  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-changed-'));
    git(repo, 'init', '--quiet', '--initial-branch=main');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'test');
    git(repo, 'config', 'commit.gpgsign', 'false');
    for (const [file, text] of Object.entries(FILES)) write(repo, file, text);
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'three targets');
    mainSha = git(repo, 'rev-parse', 'HEAD').trim();
    process.chdir(repo);
  });
  after(() => {
    process.chdir(cwd);
    rmSync(repo, { recursive: true, force: true });
  });

  /** Commits `changes` on a branch from main, runs --changed-since main --json, returns kept and left-out names. */
  async function changedAfter(branch: string, changes: Record<string, string>) {
    git(repo, 'checkout', '--quiet', '-b', branch, 'main');
    for (const [file, text] of Object.entries(changes)) write(repo, file, text);
    git(repo, 'commit', '--quiet', '-am', branch);
    const run = await runCli(['targets', '--changed-since', 'main', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const matrix = JSON.parse(run.stdout) as Matrix;
    assert.equal(matrix.since, mainSha);
    return {
      kept: matrix.include.map((t) => t.target),
      left: matrix.unchanged.map((t) => t.target),
      stderr: run.stderr,
    };
  }

  it('a change to the shared base keeps the two overlays that reference it', async () => {
    const run = await changedAfter('base', {
      'base/app/configmap.yaml': FILES['base/app/configmap.yaml'].replace('blue', 'green'),
    });
    assert.deepEqual(run.kept, ['east', 'west']);
    assert.deepEqual(run.left, ['charts']);
    assert.equal(
      run.stderr,
      'east: files its render reads changed: base/app/configmap.yaml\nwest: files its render reads changed: base/app/configmap.yaml\n',
    );
  });

  it("a change to one target's values file keeps only that target", async () => {
    const run = await changedAfter('values', { 'values/charts.yaml': 'replicas: 3\n' });
    assert.deepEqual(run.kept, ['charts']);
    assert.deepEqual(run.left, ['east', 'west']);
    assert.equal(run.stderr, 'charts: files it names changed: values/charts.yaml\n');
  });

  it("a file inside a chart (Helm loads the chart whole) keeps the chart's target", async () => {
    const run = await changedAfter('chart', { 'charts/web/values.yaml': 'replicas: 4\n' });
    assert.deepEqual(run.kept, ['charts']);
    assert.equal(run.stderr, 'charts: files its render reads changed: charts/web/values.yaml\n');
    // Not only YAML: Helm reads templates/_helpers.tpl, files/ and .helmignore too.
    write(repo, 'charts/web/templates/_helpers.tpl', '{{- define "web.name" -}}web{{- end -}}\n');
    const helpers = await runCli(['targets', '--changed-since', 'main', '--json']);
    assert.deepEqual(
      (JSON.parse(helpers.stdout) as Matrix).include.map((t) => t.target),
      ['charts'],
    );
    rmSync(join(repo, 'charts/web/templates/_helpers.tpl'));
  });

  it("a change to one target's config entry keeps only that target", async () => {
    const run = await changedAfter('config', {
      'kube-drift.yaml': CONFIG.replace(
        'paths: [clusters/west]',
        'paths: [clusters/west]\n    namespace: west',
      ),
    });
    assert.deepEqual(run.kept, ['west']);
    assert.deepEqual(run.left, ['east', 'charts']);
    assert.equal(run.stderr, 'west: its config entry changed\n');
  });

  it('compares parsed settings: a reformatted config keeps nothing, a changed default keeps every target', async () => {
    const reformatted = await changedAfter('reformat', {
      'kube-drift.yaml': `# the fleet\n${CONFIG.replace('paths: [clusters/east]', 'paths:\n      - clusters/east')}`,
    });
    assert.deepEqual(reformatted.kept, []);
    const defaults = await changedAfter('defaults', {
      'kube-drift.yaml': CONFIG.replace('namespace: fleet-changed', 'namespace: fleet-moved'),
    });
    assert.deepEqual(defaults.kept, ['east', 'west', 'charts']);
    assert.match(defaults.stderr, /^east: its config entry changed\n/);
  });

  it("a change to one target's ignore file keeps only that target", async () => {
    const run = await changedAfter('ignore', { 'ignore/west.yaml': '- paths: [/data]\n' });
    assert.deepEqual(run.kept, ['west']);
    assert.equal(run.stderr, 'west: files it names changed: ignore/west.yaml\n');
  });

  it('files no render reads keep nothing: an empty matrix, every target listed as unchanged', async () => {
    const run = await changedAfter('docs', { 'README.md': '# the fleet\n', 'base/app/notes.md': 'edited\n' });
    assert.deepEqual(run.kept, []);
    assert.deepEqual(run.left, ['east', 'west', 'charts']);
    assert.equal(run.stderr, '');
    const text = await runCli(['targets', '--changed-since', mainSha.slice(0, 10)]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(
      text.stdout,
      `0 of 3 targets in kube-drift.yaml changed since ${mainSha.slice(0, 10)} (${mainSha.slice(0, 12)}); unchanged: east, west, charts\n`,
    );
  });

  it('uncommitted and untracked files count, as the work tree is compared', async () => {
    git(repo, 'checkout', '--quiet', '-b', 'worktree', 'main');
    write(
      repo,
      'clusters/east/kustomization.yaml',
      'resources: [../../base/app, extra.yaml]\nnamePrefix: east-\n',
    );
    write(repo, 'clusters/east/extra.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n');
    const run = await runCli(['targets', '--changed-since', 'main']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^east +clusters\/east +\[auto, namespace fleet-changed/m);
    assert.match(
      run.stdout,
      /^1 of 3 targets in kube-drift\.yaml changed since main \([0-9a-f]{12}\); unchanged: west, charts$/m,
    );
    assert.equal(
      run.stderr,
      'east: files its render reads changed: clusters/east/extra.yaml, clusters/east/kustomization.yaml\n',
    );
    git(repo, 'checkout', '--quiet', '--', '.');
    rmSync(join(repo, 'clusters/east/extra.yaml'));
  });

  it('a target that cannot be rendered is kept, whatever changed', async () => {
    git(repo, 'checkout', '--quiet', '-b', 'broken', 'main');
    write(repo, 'clusters/east/kustomization.yaml', 'resources: [../../base/app, missing.yaml]\n');
    git(repo, 'commit', '--quiet', '-am', 'east references a file that is not there');
    write(repo, 'README.md', '# edited\n');
    try {
      const run = await runCli(['targets', '--changed-since', 'broken', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        (JSON.parse(run.stdout) as Matrix).include.map((t) => t.target),
        ['east'],
      );
      assert.match(run.stderr, /^east: it cannot be rendered here, so it is kept \(.*missing\.yaml.*\)\n$/);
    } finally {
      git(repo, 'checkout', '--quiet', '--', '.');
    }
  });

  it('a ref the clone does not have is an error that says to fetch the history', async () => {
    const run = await runCli(['targets', '--changed-since', 'origin/main', '--json']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /^kube-drift: --changed-since origin\/main is not a commit in the Git clone at .*, so what changed since it cannot be told\n {2}Fetch the history it needs: actions\/checkout with `fetch-depth: 0`/,
    );
  });

  it("runs the example workflow's targets step: the matrix, its size, and the unchanged targets", async () => {
    // The step's own script, with the CLI bundle it clones replaced by this checkout's source.
    const workflow = parse(readFileSync(resolve(cwd, 'examples/workflows/fleet.yml'), 'utf8'));
    const step = workflow.jobs.targets.steps.find((s: { id?: string }) => s.id === 'targets');
    const script = (step.run as string).replace(/^ *git clone .*$/m, '');
    const temp = mkdtempSync(join(tmpdir(), 'kube-drift-runner-'));
    try {
      mkdirSync(join(temp, 'kube-drift/dist'), { recursive: true });
      writeFileSync(join(temp, 'kube-drift/package.json'), '{"type":"module"}\n');
      const entry = resolve(cwd, 'src/cli-entry.ts');
      writeFileSync(join(temp, 'kube-drift/dist/cli.js'), `await import(${JSON.stringify(entry)});\n`);
      const runStep = (branch: string, pullRequest: boolean) => {
        git(repo, 'checkout', '--quiet', branch);
        const output = join(temp, `output-${branch}`);
        writeFileSync(output, '');
        execFileSync('bash', ['-c', script], {
          cwd: repo,
          stdio: ['ignore', 'ignore', 'pipe'],
          env: {
            ...process.env,
            PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
            RUNNER_TEMP: temp,
            GITHUB_OUTPUT: output,
            BASE: mainSha,
            PULL_REQUEST: String(pullRequest),
          },
        });
        return readFileSync(output, 'utf8');
      };
      assert.equal(
        runStep('base', true),
        'matrix={"include":[{"target":"east","paths":["clusters/east"],"source":"auto","namespace":"fleet-changed","remediate":false},{"target":"west","paths":["clusters/west"],"source":"auto","namespace":"fleet-changed","remediate":false}]}\ncount=2\nchanged=east,west\nunchanged=["charts"]\n',
      );
      // Nothing changed: an empty matrix (the diff job's `if:` skips it), every target unchanged.
      assert.equal(
        runStep('docs', false),
        'matrix={"include":[]}\ncount=0\nchanged=\nunchanged=["east","west","charts"]\n',
      );
      assert.equal(git(repo, 'status', '--porcelain'), '', 'the step leaves nothing in the checkout');
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
