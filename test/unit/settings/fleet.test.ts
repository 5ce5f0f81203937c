// A fleet run's targets as Settings: the config over the run's own options, the target
// selection, each target's kubeconfig (from a variable, registered as a secret; from a file,
// refused inside the checkout on an untrusted run), and a target that cannot run kept as its
// own error rather than failing the run.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type FleetRequest, planFleet } from '../../../src/settings/fleet.ts';

const CONFIG = `defaults:
  namespace: apps
targets:
  - name: staging
    paths: [clusters/staging]
    kubeconfig: { env: KUBECONFIG_STAGING }
  - name: production
    paths: [clusters/production]
    kubeconfig: { file: secrets/prod-kubeconfig }
    context: prod-admin
  - name: local
    paths: [clusters/local]
`;

const KUBECONFIG =
  'apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: very-secret-token-123\n';

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-fleet-settings-'));
  writeFileSync(join(dir, 'kube-drift.yaml'), CONFIG);
  return dir;
}

function request(repoRoot: string, extra: Partial<FleetRequest> = {}): FleetRequest {
  return {
    command: 'diff',
    raw: { kubeconfig: '/elsewhere/kubeconfig', concurrency: '4', namespace: 'ignored' },
    select: [],
    context: { repoRoot, isAction: false, eventName: 'push' },
    env: { KUBECONFIG_STAGING: KUBECONFIG },
    ...extra,
  };
}

describe('planFleet', () => {
  it('gives every target the run’s options under its own, and its kubeconfig from the config', async () => {
    const repo = repository();
    const secrets: string[] = [];
    const plan = await planFleet(request(repo, { secret: (value) => secrets.push(value) }));
    assert.deepEqual(
      plan.targets.map((t) => [
        t.name,
        t.error,
        t.settings?.paths,
        t.settings?.namespace,
        t.settings?.concurrency,
      ]),
      [
        ['staging', undefined, ['clusters/staging'], 'apps', 4],
        ['production', undefined, ['clusters/production'], 'apps', 4],
        ['local', undefined, ['clusters/local'], 'apps', 4],
      ],
    );
    const [staging, production, local] = plan.targets.map((t) => t.settings!.kubeconfig);
    assert.deepEqual(staging, { inline: KUBECONFIG, context: undefined });
    assert.deepEqual(production, { path: join(repo, 'secrets/prod-kubeconfig'), context: 'prod-admin' });
    assert.deepEqual(local, { path: '/elsewhere/kubeconfig', context: undefined });
    assert.deepEqual(secrets, [KUBECONFIG], 'the kubeconfig read from the environment is a secret');
    assert.deepEqual(plan.notes, []);
  });

  it('runs only the targets named, and refuses a name the config does not have', async () => {
    const repo = repository();
    const plan = await planFleet(request(repo, { select: ['local,staging'] }));
    assert.deepEqual(
      plan.targets.map((t) => t.name),
      ['staging', 'local'],
    );
    await assert.rejects(
      planFleet(request(repo, { select: ['staging', 'nope'] })),
      /kube-drift.yaml has no target nope/,
    );
  });

  it('keeps a target whose variable is unset as that target’s error, the others run', async () => {
    const plan = await planFleet(request(repository(), { env: {} }));
    assert.equal(plan.targets[0].settings?.target, 'staging', 'kept for the target’s report file');
    assert.match(
      plan.targets[0].error ?? '',
      /^kube-drift.yaml: target staging: kubeconfig \{ env: KUBECONFIG_STAGING \}: the variable KUBECONFIG_STAGING is not set/,
    );
    assert.ok(!plan.targets[1].error && !plan.targets[2].error);
  });

  it('refuses a kubeconfig file inside the checkout on an untrusted run', async () => {
    const repo = repository();
    const plan = await planFleet(
      request(repo, { context: { repoRoot: repo, isAction: true, eventName: 'pull_request' } }),
    );
    assert.match(
      plan.targets[1].error ?? '',
      /target production: kubeconfig \{ file: secrets\/prod-kubeconfig \} is refused on an untrusted run: the file is inside the checkout/,
    );
    assert.equal(
      plan.targets[0].error,
      undefined,
      'a kubeconfig from a variable is the base config’s choice',
    );
  });

  it('asks for {target} in report-file when several targets would write it', async () => {
    const repo = repository();
    await assert.rejects(
      planFleet(request(repo, { raw: { 'report-file': 'report.json' } })),
      /report-file report.json would be written by 3 targets/,
    );
    const plan = await planFleet(request(repo, { raw: { 'report-file': 'reports/{target}.json' } }));
    assert.deepEqual(
      plan.targets.map((t) => t.settings?.reportFile),
      ['reports/staging.json', 'reports/production.json', 'reports/local.json'],
    );
  });
});
