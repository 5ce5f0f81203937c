import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lines, obj, planned, review } from './support.ts';

const role = (kind: 'Role' | 'ClusterRole', rules: unknown[]) => obj(kind, 'r', { rules });
const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', roleName: string, subjects: unknown[]) =>
  obj(kind, 'b', {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects,
  });
const sa = (name: string) => ({ kind: 'ServiceAccount', name, namespace: 'app' });
const readPods = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };

describe('rbac-escalation', () => {
  const cases = [
    {
      name: 'a new ClusterRole with wildcards and read of Secrets',
      desired: role('ClusterRole', [{ apiGroups: [''], resources: ['*'], verbs: ['*'] }]),
      live: null,
      want: [
        'rbac-escalation danger ClusterRole/r: grants every verb on * (core); every resource in core; read of Secrets cluster-wide',
      ],
    },
    {
      name: 'a Role widened to escalate and impersonate',
      desired: role('Role', [
        readPods,
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] },
        { apiGroups: [''], resources: ['users'], verbs: ['impersonate'] },
      ]),
      live: role('Role', [readPods]),
      want: [
        'rbac-escalation danger Role/app/r: gains escalate on roles (rbac.authorization.k8s.io); impersonate on users (core)',
      ],
    },
    {
      name: 'a Role reading Secrets in its own namespace: not cluster-wide',
      desired: role('Role', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
      live: role('Role', [readPods]),
      want: [],
    },
    {
      name: 'a ClusterRole that already had the wildcard live: nothing new',
      desired: role('ClusterRole', [
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] },
        readPods,
      ]),
      live: role('ClusterRole', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }]),
      want: [],
    },
    {
      name: 'a ClusterRoleBinding to cluster-admin gains a subject',
      desired: binding('ClusterRoleBinding', 'cluster-admin', [sa('ci'), sa('deployer')]),
      live: binding('ClusterRoleBinding', 'cluster-admin', [sa('ci')]),
      want: [
        'rbac-escalation danger ClusterRoleBinding/b: binds ServiceAccount/app/deployer to cluster-admin in every namespace',
      ],
    },
    {
      name: 'a RoleBinding moved to cluster-admin: every subject is new to it',
      desired: binding('RoleBinding', 'cluster-admin', [sa('ci')]),
      live: binding('RoleBinding', 'view', [sa('ci')]),
      want: [
        'rbac-escalation danger RoleBinding/app/b: binds ServiceAccount/app/ci to cluster-admin in namespace app',
      ],
    },
    {
      name: 'a binding to view: nothing',
      desired: binding('ClusterRoleBinding', 'view', [sa('ci'), sa('x')]),
      live: binding('ClusterRoleBinding', 'view', [sa('ci')]),
      want: [],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const result = await review({ objects: [planned({ desired: c.desired, live: c.live })] });
      assert.deepEqual(lines(result, 'rbac-escalation'), c.want);
    });
});
