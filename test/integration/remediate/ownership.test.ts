// Prune deletes only what its own inventory records, for its own owner (the repository), and
// only the object it checked: against the local control plane, through the engine as the CLI
// and the action run it.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { converge, type DiffResult, diff } from '../../../src/engine.ts';
import { Redactor } from '../../../src/redaction.ts';
import { remediate } from '../../../src/remediate/index.ts';
import { readInventory } from '../../../src/remediate/inventory.ts';
import { parseSettings, type Settings } from '../../../src/settings.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';
import {
  type Connected,
  configMap,
  connect,
  converge as convergeRun,
  drifted,
  inventoryNames,
  newRun,
  options,
  planRun,
  quietHooks,
  uniqueTarget,
} from './support.ts';

const quiet = { info: () => {}, warning: () => {} };

function configMapYaml(namespace: string, name: string, value = '1'): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata:\n  value: "${value}"\n`;
}

/** A Git repository with an `origin` remote, holding `files`. */
function gitRepo(root: string, origin: string | undefined, files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'repo-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  if (origin) git('remote', 'add', 'origin', origin);
  return dir;
}

interface Applied {
  plan: DiffResult['report'];
  report: DiffResult['report'];
  exitStatus: number;
  warnings: string[];
}

describe('prune ownership', () => {
  let ns: TestNamespace;
  let conn: Connected;
  let root: string;
  before(async () => {
    ns = await withNamespace('prune-owner');
    conn = await connect();
    root = mkdtempSync(join(tmpdir(), 'kube-drift-owner-'));
  });
  after(async () => {
    conn?.close();
    await ns?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const settingsFor = (repo: string, target: string, raw: Record<string, string> = {}): Settings =>
    parseSettings(
      'apply',
      {
        path: 'apps',
        target,
        kubeconfig: kubeconfigPath(),
        'inventory-namespace': ns.name,
        prune: 'true',
        ...raw,
      },
      { repoRoot: repo, isAction: false },
    );

  /** diff, then converge, as `kube-drift apply` does; `between` runs after the plan, before the apply. */
  async function apply(settings: Settings, between?: () => Promise<void>): Promise<Applied> {
    const warnings: string[] = [];
    const hooks = { ...quiet, warning: (m: string) => warnings.push(m) };
    const planned = await diff(settings, hooks, new Redactor(), { forApply: true });
    try {
      await between?.();
      const done = await converge(planned, settings, hooks);
      return { plan: planned.report, report: done.report, exitStatus: done.exitStatus, warnings };
    } finally {
      await planned.close();
    }
  }

  const exists = async (name: string) =>
    (await kubectl(['get', `configmap/${name}`, '-n', ns.name])).code === 0;
  const line = (r: DiffResult['report']) =>
    r.entries.filter((e) => e.action !== 'unchanged').map((e) => `${e.name} ${e.action}`);

  it('never deletes (nor lists as deleted) a labelled copy that is not in the inventory', async () => {
    const target = uniqueTarget('copy');
    const repo = gitRepo(root, 'https://github.com/kube-drift-tests/copy.git', {
      'apps/keep.yaml': configMapYaml(ns.name, 'copy-keep'),
    });
    const first = await apply(settingsFor(repo, target));
    assert.equal(first.exitStatus, 0, JSON.stringify(first.report.errors));

    // The copy a person makes by hand carries the owner labels of the original.
    const original = JSON.parse(await kubectlOk(['get', 'configmap/copy-keep', '-n', ns.name, '-o', 'json']));
    original.metadata = {
      name: 'copy-by-hand',
      namespace: ns.name,
      labels: original.metadata.labels,
    };
    await kubectlOk(['create', '-f', '-'], { input: JSON.stringify(original) });
    assert.equal(original.metadata.labels['kube-drift.dev/name'], target);

    const second = await apply(settingsFor(repo, target));
    assert.deepEqual(line(second.plan), [], 'the copy was listed');
    assert.deepEqual(line(second.report), []);
    assert.equal(second.exitStatus, 0);
    assert.ok(await exists('copy-by-hand'), 'prune deleted a hand-made copy it never applied');
    const inventory = await readInventory(conn.cluster, target, ns.name);
    assert.deepEqual(
      inventory.entries.map((r) => r.name),
      ['copy-keep'],
    );
    assert.equal(inventory.owner, 'github.com/kube-drift-tests/copy');
    assert.deepEqual(inventory.paths, ['apps']);
  });

  it('refuses a second repository that claims the target, and deletes nothing; the first may move its paths', async () => {
    const target = uniqueTarget('two');
    const first = gitRepo(root, 'https://github.com/kube-drift-tests/first.git', {
      'apps/a.yaml': configMapYaml(ns.name, 'two-a') + '---\n' + configMapYaml(ns.name, 'two-b'),
    });
    assert.equal((await apply(settingsFor(first, target))).exitStatus, 0);

    // Another repository chose the same target name; it holds none of the first's objects.
    const second = gitRepo(root, 'git@github.com:kube-drift-tests/second.git', {
      'apps/c.yaml': configMapYaml(ns.name, 'two-c'),
    });
    const refused = await apply(settingsFor(second, target));
    assert.equal(refused.exitStatus, 2);
    assert.deepEqual(
      refused.report.errors.map((e) => e.message),
      [
        `target ${target} belongs to github.com/kube-drift-tests/first (its inventory says so), not to github.com/kube-drift-tests/second; nothing was applied or pruned. Two repositories must not share a target name: give this one its own target, or set owner to github.com/kube-drift-tests/first if it took over that repository's role.`,
      ],
    );
    assert.deepEqual(
      line(refused.plan),
      ['two-c created'],
      "the first repository's objects were listed deleted",
    );
    assert.ok(refused.report.entries.every((e) => e.action === 'skipped'));
    assert.ok(await exists('two-a'));
    assert.ok(await exists('two-b'));
    assert.equal(await exists('two-c'), false, 'the refused run applied');
    const inventory = await readInventory(conn.cluster, target, ns.name);
    assert.equal(inventory.owner, 'github.com/kube-drift-tests/first');
    assert.deepEqual(inventory.entries.map((r) => r.name).sort(), ['two-a', 'two-b']);

    // Its preview says whose target it is, and lists none of the first's objects as deleted.
    const previewSettings = settingsFor(second, target);
    const preview = await diff(previewSettings, quiet, new Redactor());
    await preview.close();
    assert.deepEqual(line(preview.report), ['two-c created']);
    assert.deepEqual(preview.report.notes, [
      `target ${target} belongs to github.com/kube-drift-tests/first, not to github.com/kube-drift-tests/second: what it applied is not listed as deleted, and remediation from here is refused`,
    ]);

    // The first repository, cloned over ssh, with its manifests moved: same owner, prune works.
    const moved = gitRepo(root, 'git@github.com:Kube-Drift-Tests/first', {
      'manifests/a.yaml': configMapYaml(ns.name, 'two-a'),
    });
    const again = await apply(settingsFor(moved, target, { path: 'manifests' }));
    assert.equal(again.exitStatus, 0, JSON.stringify(again.report.errors));
    assert.deepEqual(line(again.report), ['two-b deleted']);
    assert.equal(await exists('two-b'), false);
    assert.deepEqual((await readInventory(conn.cluster, target, ns.name)).paths, ['manifests']);
  });

  it('skips, with a note, an object deleted and created again between the plan and the delete', async () => {
    const target = uniqueTarget('uid');
    const repo = gitRepo(root, 'https://github.com/kube-drift-tests/uid.git', {
      'apps/a.yaml': configMapYaml(ns.name, 'uid-keep') + '---\n' + configMapYaml(ns.name, 'uid-gone'),
    });
    assert.equal((await apply(settingsFor(repo, target))).exitStatus, 0);
    writeFileSync(join(repo, 'apps/a.yaml'), configMapYaml(ns.name, 'uid-keep'));

    let recreatedUid = '';
    const result = await apply(settingsFor(repo, target), async () => {
      // After the plan checked it: the same name, labels and data, another object.
      const live = JSON.parse(await kubectlOk(['get', 'configmap/uid-gone', '-n', ns.name, '-o', 'json']));
      await kubectlOk(['delete', 'configmap/uid-gone', '-n', ns.name]);
      live.metadata = { name: live.metadata.name, namespace: ns.name, labels: live.metadata.labels };
      recreatedUid = JSON.parse(
        await kubectlOk(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(live) }),
      ).metadata.uid;
    });
    assert.deepEqual(line(result.plan), ['uid-gone deleted']);
    const entry = result.report.entries.find((e) => e.name === 'uid-gone');
    assert.equal(entry?.action, 'skipped');
    assert.equal(
      entry?.note,
      "not pruned: it was deleted and created again since the plan (the delete's uid precondition failed); the next run checks it again",
    );
    assert.deepEqual(result.report.errors, []);
    assert.equal(result.exitStatus, 1, 'drift remains');
    const live = JSON.parse(await kubectlOk(['get', 'configmap/uid-gone', '-n', ns.name, '-o', 'json']));
    assert.equal(live.metadata.uid, recreatedUid, 'the object created again was deleted');
  });

  it('claims an inventory written before owners were recorded, with a note, and prunes from it', async () => {
    const target = uniqueTarget('claim');
    // What an older kube-drift left: its objects labelled, an inventory with entries only.
    await kubectlOk(['apply', '--server-side', '--field-manager=kube-drift', '-f', '-'], {
      input: [configMapYaml(ns.name, 'claim-keep'), configMapYaml(ns.name, 'claim-gone')]
        .map((y) =>
          y.replace(
            'metadata:\n',
            `metadata:\n  labels:\n    kube-drift.dev/owner: kube-drift\n    kube-drift.dev/name: ${target}\n`,
          ),
        )
        .join('---\n'),
    });
    const entries = JSON.stringify([
      `|v1|ConfigMap|${ns.name}|claim-gone`,
      `|v1|ConfigMap|${ns.name}|claim-keep`,
    ]);
    await kubectlOk([
      'create',
      'configmap',
      `kube-drift-inventory-${target}`,
      '-n',
      ns.name,
      `--from-literal=entries=${entries}`,
    ]);

    const repo = gitRepo(root, 'https://github.com/kube-drift-tests/claim.git', {
      'apps/a.yaml': configMapYaml(ns.name, 'claim-keep'),
    });
    const result = await apply(settingsFor(repo, target));
    assert.equal(result.exitStatus, 0, JSON.stringify(result.report.errors));
    assert.deepEqual(result.report.notes, [
      `the inventory of target ${target} recorded no owner (written by an older kube-drift); github.com/kube-drift-tests/claim claimed it`,
    ]);
    assert.deepEqual(line(result.report), ['claim-gone deleted']);
    assert.equal(await exists('claim-gone'), false);
    const inventory = await readInventory(conn.cluster, target, ns.name);
    assert.equal(inventory.owner, 'github.com/kube-drift-tests/claim');
    assert.deepEqual(
      inventory.entries.map((r) => r.name),
      ['claim-keep'],
    );

    // Claimed once: another repository is now refused.
    const other = gitRepo(root, 'https://github.com/kube-drift-tests/other.git', {
      'apps/a.yaml': configMapYaml(ns.name, 'claim-other'),
    });
    assert.equal((await apply(settingsFor(other, target))).exitStatus, 2);
  });

  it("never records nor prunes what a Flux Kustomization's inventory lists, prune off or on", async () => {
    const run = newRun(uniqueTarget('flux'), ns.name);
    const keep = configMap(ns.name, 'flux-keep', { a: '1' });
    await convergeRun(run, [keep], conn.cluster);
    // Objects Flux applied and that left Git; one even carries kube-drift's labels for the target.
    await kubectlOk(['create', 'configmap', 'flux-stale', '--from-literal=a=1', '-n', ns.name]);
    await kubectlOk(['apply', '--server-side', '--field-manager=kustomize-controller', '-f', '-'], {
      input: configMapYaml(ns.name, 'flux-labelled').replace(
        'metadata:\n',
        `metadata:\n  labels:\n    kube-drift.dev/owner: kube-drift\n    kube-drift.dev/name: ${run.target}\n`,
      ),
    });
    const fluxInventory = ['flux-keep', 'flux-stale', 'flux-labelled'].map((name) => ({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      namespace: ns.name,
      name,
      kustomization: 'flux-system/apps',
    }));
    for (const prune of [false, true]) {
      const planned = await planRun(run, [keep], conn.cluster, { fluxInventory });
      assert.deepEqual(drifted(planned.changeSet), [
        'ConfigMap/flux-labelled deleted',
        'ConfigMap/flux-stale deleted',
      ]);
      const result = await remediate(planned, conn.cluster, options(run, { prune }), quietHooks);
      assert.deepEqual(result.changeSet.errors, []);
      for (const name of ['flux-stale', 'flux-labelled']) {
        const entry = result.changeSet.entries.find((e) => e.ref.name === name);
        assert.equal(entry?.action, 'skipped', `prune ${prune}: ${name}`);
        assert.match(entry?.note ?? '', /Flux would prune it; kube-drift never prunes what Flux applied$/);
        assert.ok(await exists(name), `prune ${prune}: ${name} was deleted`);
      }
      assert.deepEqual(await inventoryNames(conn.cluster, run), ['ConfigMap/flux-keep'], `prune ${prune}`);
    }
  });

  it('refuses prune on the default target before anything is written', async () => {
    const repo = gitRepo(root, 'https://github.com/kube-drift-tests/default.git', {
      'apps/a.yaml': configMapYaml(ns.name, 'default-target'),
    });
    const run = await runCli([
      ...['apply', '--prune', '--path', join(repo, 'apps'), '--kubeconfig', kubeconfigPath()],
      ...['--inventory-namespace', ns.name],
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--prune needs an explicit --target: the default name "default"/);
    assert.match(run.stderr, /--target production/);
    assert.equal(await exists('default-target'), false);
    assert.equal((await readInventory(conn.cluster, 'default', ns.name)).found, false);
  });
});
