// rbac-escalation against the local control plane: a live Role widened to escalate, and a binding
// to cluster-admin, are flagged; a Role that only gains a harmless verb is not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../support/cluster.ts';
import { findings, type RiskRepo, riskRepo } from './support.ts';

const role = (ns: string, rules: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: ${ns}
rules:
${rules}`;
const readPods = `  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get]\n`;
const binding = (ns: string, roleName: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer
  namespace: ${ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${roleName}}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ${ns}}
`;

describe('rbac-escalation', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('rbac');
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: role(repo.ns, readPods) });
  });
  after(() => repo?.cleanup());

  it('fires when a live Role gains escalate, and a new binding gives cluster-admin', async () => {
    const widened = `${readPods}  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [roles]\n    verbs: [escalate, bind]\n`;
    repo.write({ 'role.yaml': role(repo.ns, widened), 'binding.yaml': binding(repo.ns, 'cluster-admin') });
    assert.deepEqual(findings(await repo.review(), 'rbac-escalation'), [
      `danger Role/${repo.ns}/deployer: gains escalate on roles (rbac.authorization.k8s.io); bind on roles (rbac.authorization.k8s.io)`,
      `danger RoleBinding/${repo.ns}/deployer: binds ServiceAccount/${repo.ns}/deployer to cluster-admin in namespace ${repo.ns}`,
    ]);
  });

  it('does not fire when the Role only gains list, and the binding is to view', async () => {
    const wider = `  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get, list]\n`;
    repo.write({ 'role.yaml': role(repo.ns, wider), 'binding.yaml': binding(repo.ns, 'view') });
    assert.deepEqual(findings(await repo.review(), 'rbac-escalation'), []);
  });
});
