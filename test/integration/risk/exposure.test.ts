// exposure against the local control plane: a live ClusterIP Service made NodePort, and an Ingress
// that gains a host, are flagged; a Service whose port changes only is not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../support/cluster.ts';
import { findings, type RiskRepo, riskRepo } from './support.ts';

const service = (ns: string, type: string, port = 80) => `apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: ${ns}
spec:
  type: ${type}
  selector: {app: api}
  ports:
    - {name: http, port: ${port}, targetPort: 8080, protocol: TCP}
`;
const ingress = (ns: string, hosts: string[]) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  namespace: ${ns}
spec:
  rules:
${hosts.map((h) => `    - host: ${h}\n      http:\n        paths:\n          - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}`).join('\n')}
`;

describe('exposure', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('exposure');
    await kubectlOk(['apply', '--server-side', '-f', '-'], {
      input: `${service(repo.ns, 'ClusterIP')}---\n${ingress(repo.ns, ['api.example.com'])}`,
    });
  });
  after(() => repo?.cleanup());

  it('fires when the Service becomes NodePort and the Ingress gains a host', async () => {
    repo.write({
      'service.yaml': service(repo.ns, 'NodePort'),
      'ingress.yaml': ingress(repo.ns, ['api.example.com', 'admin.example.com']),
    });
    assert.deepEqual(findings(await repo.review(), 'exposure'), [
      `warning Ingress/${repo.ns}/api: gains host admin.example.com`,
      `warning Service/${repo.ns}/api: becomes NodePort (from ClusterIP): reachable from outside the cluster on 80/TCP`,
    ]);
  });

  it('keeps a finding accepted in Git (annotation) or in the settings (accept-risk) in the list, with the reason', async () => {
    const annotated = service(repo.ns, 'NodePort').replace(
      `  namespace: ${repo.ns}\n`,
      `  namespace: ${repo.ns}\n  annotations:\n    kube-drift.dev/accept-risk: "exposure: the node port is firewalled"\n`,
    );
    repo.write({
      'service.yaml': annotated,
      'ingress.yaml': ingress(repo.ns, ['api.example.com', 'admin.example.com']),
    });
    const review = await repo.review({
      'accept-risk': `- {rule: exposure, object: "Ingress/${repo.ns}/*", reason: "admin host behind SSO"}`,
    });
    assert.deepEqual(
      review.findings.filter((f) => f.rule === 'exposure').map((f) => [f.subject, f.accepted]),
      [
        [`Ingress/${repo.ns}/api`, { reason: 'admin host behind SSO', by: 'settings' }],
        [`Service/${repo.ns}/api`, { reason: 'the node port is firewalled', by: 'annotation' }],
      ],
    );
  });

  it('does not fire when only the port changes and the hosts stay', async () => {
    repo.write({
      'service.yaml': service(repo.ns, 'ClusterIP', 81),
      'ingress.yaml': ingress(repo.ns, ['api.example.com']),
    });
    assert.deepEqual(findings(await repo.review(), 'exposure'), []);
  });
});
