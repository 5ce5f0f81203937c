// examples/workflows/fleet.yml as GitHub would read it: every input given to the kube-drift
// action is one action.yml declares (or config/summarize, the fleet inputs), every CLI command it
// runs exists with the flags it passes, and the matrix fan-out handles an empty matrix.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../../support/cli.ts';

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown; 'fail-fast'?: boolean };
  steps: Step[];
}

const workflow = parse(readFileSync('examples/workflows/fleet.yml', 'utf8')) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> };
/** Inputs the fleet work adds to action.yml alongside this example. */
const FLEET_INPUTS = ['config', 'summarize'];

const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const actionSteps = steps.filter((step) => step.uses?.startsWith('kube-drift/kube-drift@'));

/** `node "$cli" targets --base "$BASE" --json > "$out"` → ['targets', '--base', 'X', '--json']. */
function cliCommands(script: string): string[][] {
  return [...script.matchAll(/^\s*node "\$cli" (.*?)(?: >.*)?$/gm)].map((match) =>
    match[1].split(/\s+/).map((word) => (word.startsWith('"$') ? 'X' : word)),
  );
}

describe('examples/workflows/fleet.yml', () => {
  it('gives the kube-drift action only inputs it declares', () => {
    assert.equal(actionSteps.length, 2, 'the matrix job and the roll-up');
    const known = new Set([...Object.keys(action.inputs), ...FLEET_INPUTS]);
    for (const step of actionSteps) {
      const unknown = Object.keys(step.with ?? {}).filter((key) => !known.has(key));
      assert.deepEqual(unknown, [], `inputs not in action.yml: ${unknown.join(', ')}`);
    }
    const [diff, summarize] = actionSteps;
    assert.equal(diff.with?.target, '${{ matrix.target }}');
    assert.equal(diff.with?.comment, 'false');
    assert.equal(summarize.with?.summarize, 'reports/*.json');
  });

  it('checks out with history in every job: the base commit holds the config a pull request runs with', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const checkout = job.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
      assert.equal(checkout?.with?.['fetch-depth'], 0, name);
    }
  });

  it('runs CLI commands that exist, with flags they accept', async () => {
    const commands = steps.flatMap((step) => (step.run ? cliCommands(step.run) : []));
    assert.equal(commands.length, 3);
    for (const command of commands) {
      assert.ok(command.includes('--json'), command.join(' '));
      // --help after the flags: parsed strictly, so an unknown flag or command fails.
      const run = await runCli([...command, '--help']);
      assert.equal(run.code, 0, `kube-drift ${command.join(' ')}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`^Usage: kube-drift ${command[0]} `));
    }
    assert.ok(commands.some((c) => c.includes('--changed-since')));
  });

  it('feeds the matrix from the targets job, skips it when empty, and rolls up after it', () => {
    const { targets, diff, summarize } = workflow.jobs;
    assert.deepEqual(Object.keys(targets.outputs ?? {}).sort(), ['changed', 'count', 'matrix']);
    assert.equal(diff.needs, 'targets');
    assert.equal(diff.if, "needs.targets.outputs.count != '0'");
    assert.equal(diff.strategy?.matrix, '${{ fromJSON(needs.targets.outputs.matrix) }}');
    assert.equal(diff.strategy?.['fail-fast'], false);
    const upload = diff.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    assert.equal(upload?.if, 'always()');
    assert.equal(upload?.with?.path, actionSteps[0].with?.['report-file']);
    assert.deepEqual(summarize.needs, ['targets', 'diff']);
    assert.match(summarize.if ?? '', /^always\(\) && .*needs\.targets\.outputs\.count != '0'/);
    const download = summarize.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));
    assert.equal(download?.with?.path, 'reports');
    assert.equal(download?.with?.['merge-multiple'], true);
  });

  it('gives unchanged targets a success check run named as the action names its check runs', () => {
    const script = workflow.jobs.targets.steps.find((step) => step.uses?.startsWith('actions/github-script@'))
      ?.with?.script as string;
    assert.match(script, /name: `kube-drift \/ \$\{target\}`/);
    // The action's own default check run name, so a required check sees one name either way.
    assert.ok(
      readFileSync('src/github/publish-check.ts', 'utf8').includes(
        '`kube-drift / ${this.p.settings.target}`',
      ),
    );
    assert.match(script, /conclusion: 'success'/);
    assert.match(script, /title: 'No changes for this target'/);
    assert.equal(workflow.permissions.checks, 'write');
    assert.equal(workflow.permissions['pull-requests'], 'write');
  });
});
