// The risk review in a three-way preview on the local control plane: a finding on the PR's own
// change is the PR's; one on drift that merging would revert (a hand-set image) is drift.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../support/cluster.ts';
import { deploymentYaml, type RiskRepo, riskRepo } from './support.ts';

const service = (ns: string, type: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: ${ns}\nspec:\n  type: ${type}\n  selector: {app: web}\n  ports:\n    - {port: 80, protocol: TCP}\n`;

describe('risk findings in a three-way preview', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  let base: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const commit = (message: string) => {
    git('add', '-A');
    git(
      '-c',
      'user.email=test@example.com',
      '-c',
      'user.name=test',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-q',
      '-m',
      message,
    );
    return git('rev-parse', 'HEAD');
  };

  before(async () => {
    repo = await riskRepo('threeway');
    repo.write({ 'web.yaml': deploymentYaml(repo.ns, 'web'), 'service.yaml': service(repo.ns, 'ClusterIP') });
    base = commit('base');
    await kubectlOk(['apply', '--server-side', '-f', `${repo.root}/apps`]);
    // A hot-fix by hand: the merge would revert it to Git's image.
    await kubectlOk(['-n', repo.ns, 'set', 'image', 'deployment/web', 'app=registry.local/app:hotfix']);
    // The PR's own change: the Service becomes NodePort.
    repo.write({ 'web.yaml': deploymentYaml(repo.ns, 'web'), 'service.yaml': service(repo.ns, 'NodePort') });
    commit('head');
  });
  after(() => repo?.cleanup());

  it('files the exposure under the PR and the reverted image under drift', async () => {
    const review = await repo.review({ base });
    assert.deepEqual(
      review.findings.map((f) => `${f.origin} ${f.rule} ${f.subject}: ${f.message}`),
      [
        `pr exposure Service/${repo.ns}/api: becomes NodePort (from ClusterIP): reachable from outside the cluster on 80/TCP`,
        `drift image-change Deployment/${repo.ns}/web: container app: image registry.local/app:hotfix → registry.local/app:1`,
      ],
    );
  });

  it('says nothing of origin in a live preview', async () => {
    const review = await repo.review();
    assert.deepEqual(
      review.findings.map((f) => f.origin),
      [undefined, undefined],
    );
  });
});
