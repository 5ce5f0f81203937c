// The risk review end to end through the CLI against the local control plane, as a user sees it:
// one pull request's change fires several rules at once (a ConfigMap consumed by a live
// Deployment without a rollout, an Ingress that gains a host, an image change, a ClusterRole with
// wildcard verbs); the JSON report, the text Review block and the Markdown Review section list
// them, and the exit status follows the risk verdict alone (a three-way preview whose cluster
// matches the base, judged with `--fail-on drift`: the PR's own changes do not fail it). A
// finding accepted in Git does not fail the run and is listed as accepted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.ts';
import { kubeconfigPath, kubectlOk } from '../../support/cluster.ts';
import { deploymentYaml, type RiskRepo, riskRepo } from './support.ts';

const configMap = (ns: string, mode: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${ns}\ndata:\n  mode: "${mode}"\n`;
const ingress = (ns: string, hosts: string[]) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: front
  namespace: ${ns}
spec:
  rules:
${hosts.map((h) => `    - host: ${h}\n      http:\n        paths:\n          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}`).join('\n')}
`;
const clusterRole = (name: string, accept?: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${name}${accept ? `\n  annotations:\n    kube-drift.dev/accept-risk: |\n      ${accept}` : ''}
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: ["*"]
`;
const web = (ns: string) =>
  deploymentYaml(ns, 'web', { container: 'envFrom:\n  - configMapRef:\n      name: settings' });
const api = (ns: string, tag: string) => deploymentYaml(ns, 'api', { image: `registry.local/api:${tag}` });

describe('risk review end to end through the CLI', { timeout: 240_000 }, () => {
  let repo: RiskRepo;
  let base: string;
  const startDir = process.cwd();
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const commit = (message: string) => {
    git('add', '-A');
    git(
      '-c',
      'user.email=t@example.com',
      '-c',
      'user.name=t',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-q',
      '-m',
      message,
    );
    return git('rev-parse', 'HEAD');
  };
  const diff = (...flags: string[]) =>
    runCli([
      'diff',
      '--kubeconfig',
      kubeconfigPath(),
      '--namespace',
      repo.ns,
      '--target',
      repo.target,
      '--base',
      base,
      '--fail-on',
      'drift',
      ...flags,
      'apps',
    ]);

  before(async () => {
    repo = await riskRepo('e2e');
    repo.write({
      'settings.yaml': configMap(repo.ns, 'a'),
      'web.yaml': web(repo.ns),
      'api.yaml': api(repo.ns, '1'),
      'front.yaml': ingress(repo.ns, ['www.example.com']),
    });
    base = commit('base: what the cluster runs');
    await kubectlOk(['apply', '--server-side', '-f', `${repo.root}/apps`]);
    process.chdir(repo.root);
  });
  after(async () => {
    process.chdir(startDir);
    await repo?.cleanup();
  });

  const head = () => ({
    'settings.yaml': configMap(repo.ns, 'b'),
    'web.yaml': web(repo.ns),
    'api.yaml': api(repo.ns, '2'),
    'front.yaml': ingress(repo.ns, ['www.example.com', 'admin.example.com']),
  });
  const rbac = () =>
    `rbac-escalation ClusterRole/${repo.ns}-ops apps/ops.yaml:1: grants every verb on deployments (apps)`;
  const config = () =>
    `config-without-rollout ConfigMap/${repo.ns}/settings apps/settings.yaml:1: a live workload consumes this ConfigMap and its pod template does not change, so running Pods keep the old values until restarted: Deployment/web (add a checksum annotation to the pod template, or restart them)`;
  const exposure = () => `exposure Ingress/${repo.ns}/front apps/front.yaml:1: gains host admin.example.com`;

  it('lists every finding in the JSON report: rule, severity, subject, manifest line, the PR as origin', async () => {
    repo.write({ ...head(), 'ops.yaml': clusterRole(`${repo.ns}-ops`) });
    commit('head: the pull request');
    const run = await diff('--output', 'json', '--fail-on-risk', 'warning');
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /^kube-drift: risk review failed: 3 risk findings at or above warning \(fail-on-risk: warning\)$/m,
    );
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.comparison, { kind: 'three-way', base });
    const line = (file: string) => ({ file: `apps/${file}`, line: 1 });
    assert.deepEqual(report.risks, [
      {
        rule: 'rbac-escalation',
        severity: 'danger',
        subject: `ClusterRole/${repo.ns}-ops`,
        source: line('ops.yaml'),
        message: 'grants every verb on deployments (apps)',
        origin: 'pr',
      },
      {
        rule: 'config-without-rollout',
        severity: 'warning',
        subject: `ConfigMap/${repo.ns}/settings`,
        source: line('settings.yaml'),
        message:
          'a live workload consumes this ConfigMap and its pod template does not change, so running Pods keep the old values until restarted: Deployment/web (add a checksum annotation to the pod template, or restart them)',
        origin: 'pr',
      },
      {
        rule: 'exposure',
        severity: 'warning',
        subject: `Ingress/${repo.ns}/front`,
        source: line('front.yaml'),
        message: 'gains host admin.example.com',
        origin: 'pr',
      },
      {
        rule: 'image-change',
        severity: 'info',
        subject: `Deployment/${repo.ns}/api`,
        source: line('api.yaml'),
        message: 'container app: image registry.local/api:1 → registry.local/api:2',
        origin: 'pr',
        image: { container: 'app', from: 'registry.local/api:1', to: 'registry.local/api:2' },
      },
    ]);
    assert.equal('risksUnchecked' in report, false, 'the admin credentials could check every rule');
    assert.deepEqual(report.riskVerdict, { failOn: 'warning', failing: 3, failed: true });
  });

  it('prints the Review block in the text output: the verdict, most severe first, images as from → to', async () => {
    const run = await diff('--fail-on-risk', 'danger');
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.split('\n');
    const start = lines.indexOf(
      'risk review failed: 1 risk finding at or above danger (fail-on-risk: danger)',
    );
    assert.ok(start > 0, run.stdout);
    assert.deepEqual(lines.slice(start + 1, start + 7), [
      'Review:',
      `  danger  ${rbac()} (this PR)`,
      `  warning ${config()} (this PR)`,
      `  warning ${exposure()} (this PR)`,
      `  image   Deployment/${repo.ns}/api app: registry.local/api:1 → registry.local/api:2 (this PR)`,
      '',
    ]);
  });

  it('opens the Markdown report with the verdict and the Review section, before the counts', async () => {
    const run = await diff('--output', 'markdown', '--fail-on-risk', 'warning');
    assert.equal(run.code, 1, run.stderr);
    const md = run.stdout;
    assert.match(
      md,
      /^\*\*⛔ Risk review failed: 3 risk findings at or above warning \(fail-on-risk: warning\)\*\*$/m,
    );
    const review = md.slice(md.indexOf('### Review:'), md.indexOf('| Objects'));
    assert.equal(
      review,
      [
        '### Review: 1 danger · 2 warning · 1 info',
        '',
        `- 🔴 **danger** \`rbac-escalation\` \`ClusterRole/${repo.ns}-ops\` · \`apps/ops.yaml:1\`: grants every verb on deployments (apps) _(this PR)_`,
        `- 🟡 **warning** \`config-without-rollout\` \`ConfigMap/${repo.ns}/settings\` · \`apps/settings.yaml:1\`: a live workload consumes this ConfigMap and its pod template does not change, so running Pods keep the old values until restarted: Deployment/web (add a checksum annotation to the pod template, or restart them) _(this PR)_`,
        `- 🟡 **warning** \`exposure\` \`Ingress/${repo.ns}/front\` · \`apps/front.yaml:1\`: gains host admin.example.com _(this PR)_`,
        '',
        '**Images** (1)',
        '',
        '| Workload | Container | Image |',
        '| --- | --- | --- |',
        `| \`Deployment/${repo.ns}/api\` · \`apps/api.yaml:1\` | \`app\` | \`registry.local/api:1\` → \`registry.local/api:2\` _(this PR)_ |`,
        '',
        '',
      ].join('\n'),
    );
    assert.ok(md.indexOf('### Review:') < md.indexOf('### Changes in this PR'), md);
  });

  it('exits from the risk verdict alone: 0 with fail-on-risk none, 1 with warning, the reason stated', async () => {
    // The cluster runs the base and the findings are the PR's own: with --fail-on drift the diff
    // alone passes, so what fails the run is the risk verdict.
    const none = await diff('--fail-on-risk', 'none', '--output', 'json');
    assert.equal(none.code, 0, none.stderr);
    const report = JSON.parse(none.stdout);
    assert.equal(report.driftDetected, true, 'the PR changes four objects');
    assert.equal(report.risks.length, 4);
    assert.equal('riskVerdict' in report, false);
    assert.equal(none.stderr.includes('risk review'), false, none.stderr);

    // The text report states the reason at its top; JSON and Markdown on stdout state it on stderr.
    const warning = await diff('--fail-on-risk', 'warning');
    assert.equal(warning.code, 1, warning.stderr);
    assert.equal(
      warning.stdout.split('\n')[2],
      'risk review failed: 3 risk findings at or above warning (fail-on-risk: warning)',
    );
    const json = await diff('--fail-on-risk', 'warning', '--output', 'json');
    assert.equal(json.code, 1, json.stderr);
    assert.match(
      json.stderr,
      /risk review failed: 3 risk findings at or above warning \(fail-on-risk: warning\)/,
    );
  });

  it('is turned off from the CLI with --no-risk-review: no findings, nothing to fail on', async () => {
    const off = await diff('--no-risk-review', '--fail-on-risk', 'warning', '--output', 'json');
    assert.equal(off.code, 0, off.stderr);
    const report = JSON.parse(off.stdout);
    assert.equal(report.driftDetected, true);
    assert.deepEqual(report.risks, []);
  });

  it('does not fail on a finding accepted in Git, and lists it as accepted with its reason', async () => {
    repo.write({
      ...head(),
      'ops.yaml': clusterRole(`${repo.ns}-ops`, 'rbac-escalation: the operator owns its Deployments'),
    });
    commit('head: accept the operator role');
    const json = await diff('--fail-on-risk', 'danger', '--output', 'json');
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    const accepted = report.risks.filter((f: { accepted?: unknown }) => f.accepted);
    assert.deepEqual(
      accepted.map((f: { rule: string; severity: string; subject: string; accepted: unknown }) => [
        f.rule,
        f.severity,
        f.subject,
        f.accepted,
      ]),
      [
        [
          'rbac-escalation',
          'danger',
          `ClusterRole/${repo.ns}-ops`,
          { reason: 'the operator owns its Deployments', by: 'annotation' },
        ],
      ],
    );
    assert.deepEqual(report.riskVerdict, { failOn: 'danger', failing: 0, failed: false });

    const text = await diff('--fail-on-risk', 'danger');
    assert.equal(text.code, 0, text.stderr);
    assert.ok(
      text.stdout.includes(
        `  accepted danger ${rbac()} (this PR) — accepted: the operator owns its Deployments\n`,
      ),
      text.stdout.slice(0, 3000),
    );
    assert.equal(
      text.stdout.split('\n')[2],
      'risk review passed: no risk finding at or above danger; 1 accepted not counted (fail-on-risk: danger)',
      text.stdout.slice(0, 3000),
    );
    const markdown = await diff('--fail-on-risk', 'danger', '--output', 'markdown');
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.ok(
      markdown.stdout.includes(
        `\n- ☑️ **danger** \`rbac-escalation\` \`ClusterRole/${repo.ns}-ops\` · \`apps/ops.yaml:1\`: grants every verb on deployments (apps) _(this PR)_ **Accepted** (annotation kube-drift.dev/accept-risk): the operator owns its Deployments\n`,
      ),
      markdown.stdout.slice(0, 3000),
    );
    assert.match(markdown.stdout, /^### Review: 2 warning · 1 info · 1 accepted$/m);
    // The warnings are not accepted: warning still fails, and says so.
    const warning = await diff('--fail-on-risk', 'warning');
    assert.equal(warning.code, 1);
    assert.equal(
      warning.stdout.split('\n')[2],
      'risk review failed: 2 risk findings at or above warning; 1 accepted not counted (fail-on-risk: warning)',
    );
  });
});
