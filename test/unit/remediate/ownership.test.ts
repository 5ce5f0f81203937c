// Who owns a target (the repository URL, normalized) and which live objects prune may delete.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ownerLabels, selectDeletions } from '../../../src/drift/ownership.ts';
import { identityOf, type KubeObject, type ObjectRef, refOf } from '../../../src/model.ts';
import type { Inventory } from '../../../src/remediate/inventory.ts';
import {
  claimOf,
  githubRepositoryOwner,
  normalizeOwnerSetting,
  normalizeRepositoryUrl,
  resolveOwner,
} from '../../../src/remediate/owner.ts';

describe('repository URL normalization', () => {
  const cases: [string, string | undefined][] = [
    ['https://github.com/o/r', 'github.com/o/r'],
    ['https://github.com/o/r.git', 'github.com/o/r'],
    ['https://github.com/o/r/', 'github.com/o/r'],
    ['git@github.com:o/r.git', 'github.com/o/r'],
    ['ssh://git@github.com/o/r', 'github.com/o/r'],
    ['ssh://git@github.com:22/o/r.git', 'github.com/o/r'],
    ['git://github.com/o/r.git', 'github.com/o/r'],
    // The token actions/checkout can leave in the remote is never part of the owner.
    ['https://x-access-token:ghs_secret@github.com/o/r', 'github.com/o/r'],
    ['https://GitHub.com/Octo-Org/Repo.git', 'github.com/octo-org/repo'],
    ['  https://github.com/o/r.git\n', 'github.com/o/r'],
    // Other hosts: the host is lower-cased, the path kept as it is (it may be case-sensitive).
    ['https://GITLAB.example.com:8443/Group/Sub/Repo.git', 'gitlab.example.com/Group/Sub/Repo'],
    ['git@gitlab.example.com:Group/Sub/Repo.git', 'gitlab.example.com/Group/Sub/Repo'],
    // Not a remote repository.
    ['/srv/git/repo.git', undefined],
    ['file:///srv/git/repo.git', undefined],
    ['../repo', undefined],
    ['https://github.com/', undefined],
    ['https://github.com/o/../r', undefined],
    ['', undefined],
  ];
  for (const [url, expected] of cases) {
    it(JSON.stringify(url), () => assert.equal(normalizeRepositoryUrl(url), expected));
  }

  it('makes the https, ssh and scp-like forms of one repository equal', () => {
    const forms = ['https://github.com/o/r.git', 'git@github.com:o/r.git', 'ssh://git@github.com/o/r'];
    assert.equal(new Set(forms.map(normalizeRepositoryUrl)).size, 1);
  });

  it('reads GITHUB_REPOSITORY on GITHUB_SERVER_URL, equal to the origin URL of the checkout', () => {
    assert.equal(githubRepositoryOwner({ GITHUB_REPOSITORY: 'Octo/Repo' }), 'github.com/octo/repo');
    assert.equal(
      githubRepositoryOwner({ GITHUB_REPOSITORY: 'o/r', GITHUB_SERVER_URL: 'https://GHE.example.com' }),
      'ghe.example.com/o/r',
    );
    assert.equal(githubRepositoryOwner({ GITHUB_REPOSITORY: 'not a repository' }), undefined);
    assert.equal(githubRepositoryOwner({}), undefined);
  });

  it('keeps an explicit owner name as written, and normalizes one given as a URL', () => {
    assert.equal(normalizeOwnerSetting(' team-payments '), 'team-payments');
    assert.equal(normalizeOwnerSetting('git@github.com:o/r.git'), 'github.com/o/r');
  });
});

describe('resolveOwner', () => {
  it('prefers the owner setting, then GITHUB_REPOSITORY in Actions, then the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-drift-owner-'));
    try {
      assert.deepEqual(await resolveOwner('https://github.com/o/r.git', dir, {}), {
        owner: 'github.com/o/r',
        from: 'setting',
      });
      const env = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/actions' };
      assert.deepEqual(await resolveOwner(undefined, dir, env), {
        owner: 'github.com/o/actions',
        from: 'GITHUB_REPOSITORY',
      });
      // Not in Actions, not a Git repository: the directory on this machine.
      const local = await resolveOwner(undefined, dir, { GITHUB_REPOSITORY: 'o/ignored' });
      assert.equal(local.from, 'directory');
      assert.match(local.owner, new RegExp(`^local:[^:]+:${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('claim of a target', () => {
  const inventory = (owner: string | undefined, found = true): Inventory => ({
    entries: [],
    paths: [],
    owner,
    found,
  });
  const cases: [string, Inventory, ReturnType<typeof claimOf>][] = [
    ['no inventory yet', inventory(undefined, false), { kind: 'new' }],
    ['its own', inventory('github.com/o/r'), { kind: 'own' }],
    ['written before owners were recorded', inventory(undefined), { kind: 'unowned' }],
    ['another repository', inventory('github.com/o/other'), { kind: 'foreign', owner: 'github.com/o/other' }],
  ];
  for (const [name, given, expected] of cases) {
    it(name, () => assert.deepEqual(claimOf(given, 'github.com/o/r'), expected));
  }
});

describe('prune selection', () => {
  const target = 'production';
  const cm = (name: string, labels?: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'app', ...(labels ? { labels } : {}) },
  });
  const ref = (name: string): ObjectRef => refOf(cm(name));
  const owned = ownerLabels(target);
  const cases: {
    name: string;
    live: KubeObject;
    inInventory: boolean;
    inGit: boolean;
    deleted: boolean;
  }[] = [
    {
      name: 'recorded, labelled, left Git',
      live: cm('gone', owned),
      inInventory: true,
      inGit: false,
      deleted: true,
    },
    { name: 'still in Git', live: cm('kept', owned), inInventory: true, inGit: true, deleted: false },
    {
      name: 'a labelled copy made by hand (not recorded)',
      live: cm('copy', owned),
      inInventory: false,
      inGit: false,
      deleted: false,
    },
    { name: 'labels removed by hand', live: cm('disowned'), inInventory: true, inGit: false, deleted: false },
    {
      name: "another target's labels",
      live: cm('theirs', ownerLabels('staging')),
      inInventory: true,
      inGit: false,
      deleted: false,
    },
    {
      name: 'owner label with another value',
      live: cm('odd', { ...owned, 'kube-drift.dev/owner': 'someone-else' }),
      inInventory: true,
      inGit: false,
      deleted: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const identity = identityOf(refOf(c.live));
      const selected = selectDeletions(
        [{ identity, object: c.live }],
        c.inInventory ? [ref(c.live.metadata.name)] : [ref('something-else')],
        new Set(c.inGit ? [identity] : []),
        target,
      );
      assert.deepEqual(
        selected.map((s) => s.object.metadata.name),
        c.deleted ? [c.live.metadata.name] : [],
      );
    });
  }

  it('matches inventory entries by identity, whatever version they were recorded with', () => {
    const live = cm('gone', owned);
    const recorded = { ...ref('gone'), version: 'v1beta1' };
    const selected = selectDeletions(
      [{ identity: identityOf(refOf(live)), object: live }],
      [recorded],
      new Set(),
      target,
    );
    assert.equal(selected.length, 1);
  });
});
