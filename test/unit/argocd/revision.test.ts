// Applications pinned to a targetRevision of this repository: rendered from that commit's
// files when the clone has it (tag, branch, SHA), from the checkout for HEAD, empty and the
// current branch, skipped with a note naming the Application and the revision otherwise.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { renderArgo } from '../../../src/render/argocd/index.ts';
import { parseRepoMapping } from '../../../src/render/argocd/repos.ts';
import { checkoutBase } from '../../../src/render/git-base.ts';

const URL = 'https://git.example.com/deploy.git';

describe('Application targetRevision', () => {
  let root: string;
  let v1: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  const configMap = (greeting: string) =>
    stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { greeting } });

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'kube-drift-revision-'));
    mkdirSync(join(root, 'web'));
    mkdirSync(join(root, 'apps'));
    git('init', '-q', '-b', 'trunk');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    writeFileSync(join(root, 'web', 'config.yaml'), configMap('v1'));
    git('add', '.');
    git('commit', '-q', '-m', 'v1');
    git('tag', 'v1.0.0');
    v1 = git('rev-parse', 'HEAD');
    git('branch', 'release-1');
    writeFileSync(join(root, 'web', 'config.yaml'), configMap('v2'));
    git('commit', '-q', '-am', 'v2');
    // Not committed: the checkout as a pull request leaves it.
    writeFileSync(join(root, 'web', 'config.yaml'), configMap('work tree'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function render(revisions: Record<string, string | undefined>, base?: string) {
    const apps = Object.entries(revisions).map(([name, targetRevision]) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: 'argocd' },
      spec: {
        source: { repoURL: URL, path: 'web', targetRevision },
        destination: { server: 'https://kubernetes.default.svc', namespace: name },
      },
    }));
    const repoRoot = base ?? root;
    writeFileSync(join(repoRoot, 'apps', 'apps.yaml'), apps.map((a) => stringify(a)).join('---\n'));
    const result = await renderArgo({
      repoRoot,
      paths: ['apps'],
      repos: parseRepoMapping([`${URL}=.`], repoRoot),
      clone: base ? { of: root, root: base } : undefined,
    });
    const greetings = Object.fromEntries(
      result.objects
        .filter((d) => d.object.kind === 'ConfigMap')
        .map((d) => [
          d.object.metadata.namespace,
          [(d.object.data as { greeting: string }).greeting, d.source.file],
        ]),
    );
    return { result, greetings };
  }

  it('renders a tag, a branch and a SHA from their commit, and HEAD, empty and the current branch from the checkout', async () => {
    const { result, greetings } = await render({
      tagged: 'v1.0.0',
      branched: 'release-1',
      pinned: v1,
      head: 'HEAD',
      empty: undefined,
      current: 'trunk',
    });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(greetings, {
      tagged: ['v1', 'web/config.yaml'],
      branched: ['v1', 'web/config.yaml'],
      pinned: ['v1', 'web/config.yaml'],
      head: ['work tree', 'web/config.yaml'],
      empty: ['work tree', 'web/config.yaml'],
      current: ['work tree', 'web/config.yaml'],
    });
    assert.deepEqual(
      result.notes.filter((n) => n.includes('targetRevision')),
      [
        'Application argocd/tagged is rendered from its targetRevision v1.0.0, not the checkout',
        'Application argocd/branched is rendered from its targetRevision release-1, not the checkout',
        `Application argocd/pinned is rendered from its targetRevision ${v1}, not the checkout`,
      ],
    );
  });

  it("in a base commit's files (three-way previews), reads other revisions from the clone they come from", async () => {
    const base = await checkoutBase(root, 'HEAD');
    try {
      mkdirSync(join(base.dir, 'apps'), { recursive: true });
      const { result, greetings } = await render(
        { tagged: 'v1.0.0', current: 'trunk', head: 'HEAD' },
        base.dir,
      );
      assert.deepEqual(result.errors, []);
      assert.deepEqual(greetings, {
        tagged: ['v1', 'web/config.yaml'],
        current: ['v2', 'web/config.yaml'],
        head: ['v2', 'web/config.yaml'],
      });
    } finally {
      await base.cleanup();
    }
  });

  it('skips an Application whose revision the clone does not hold, naming it and the revision', async () => {
    const { result, greetings } = await render({ missing: 'v9.9.9', head: 'HEAD' });
    assert.deepEqual(Object.keys(greetings), ['head']);
    assert.deepEqual(
      result.notes.filter((n) => n.includes('is not rendered')),
      [
        'Application argocd/missing (apps/apps.yaml:1) is not rendered: its targetRevision v9.9.9 is not in the Git clone (fetch it, e.g. actions/checkout with fetch-depth: 0)',
      ],
    );
    assert.equal(result.groups.find((g) => g.objectName === 'missing')?.skipped?.includes('v9.9.9'), true);
  });
});
