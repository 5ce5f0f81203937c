// Helm charts rendered as helm-controller renders them, against the local control plane:
// charts installed with the real `helm install` must diff clean when they branch on the
// cluster's capabilities or keep a generated password through lookup; on untrusted (pull
// request) runs lookups of Secrets answer not-found, and nothing of a Secret reaches outputs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { KubeClient } from '../../../src/kube/client.ts';
import { Discovery } from '../../../src/kube/discovery.ts';
import { type HelmCapabilities, readCapabilities } from '../../../src/kube/helm-cluster.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import type { FieldChange } from '../../../src/model.ts';
import { capabilityArgs } from '../../../src/render/helm-run.ts';
import { findTool } from '../../../src/render/tools.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const FIXTURES = `${REPO_ROOT}/test/fixtures/helm-cluster`;
const helm = findTool('helm');

interface JsonEntry {
  kind: string;
  name: string;
  action: string;
  changes: FieldChange[];
  diff: string;
  note?: string;
}

interface JsonReport {
  entries: JsonEntry[];
  errors: { message: string }[];
}

async function helmInstall(release: string, chart: string, namespace: string): Promise<void> {
  await promisify(execFile)(helm, [
    'install',
    release,
    `${FIXTURES}/${chart}`,
    '--namespace',
    namespace,
    '--kubeconfig',
    kubeconfigPath(),
  ]);
}

async function diff(namespace: string, release: string, chart: string, extra: string[] = []) {
  const run = await runCli([
    'diff',
    `${FIXTURES}/${chart}`,
    '--namespace',
    namespace,
    '--target',
    `${namespace}-${release}`,
    '--helm-release-name',
    release,
    '--kubeconfig',
    kubeconfigPath(),
    ...extra,
  ]);
  return run;
}

async function diffJson(namespace: string, release: string, chart: string, extra: string[] = []) {
  const run = await diff(namespace, release, chart, ['-o', 'json', ...extra]);
  assert.ok(run.stdout.startsWith('{'), `expected JSON, got ${run.stdout.slice(0, 300)} ${run.stderr}`);
  return { ...run, report: JSON.parse(run.stdout) as JsonReport };
}

const drifted = (report: JsonReport) =>
  report.entries.filter((e) => e.action !== 'unchanged').map((e) => `${e.action} ${e.kind}/${e.name}`);

describe('Helm charts rendered with the cluster', { timeout: 240_000 }, () => {
  let ns: TestNamespace;

  before(async () => {
    ns = await withNamespace('kd-helm');
    await kubectlOk(['apply', '-f', `${FIXTURES}/gadget-crd.yaml`]);
    await kubectlOk([
      'wait',
      '--for=condition=Established',
      'crd/gadgets.capabilities.kube-drift.dev',
      '--timeout=60s',
    ]);
  });

  after(async () => {
    await ns?.cleanup();
  });

  it("passes the capabilities helm's own discovery finds", async () => {
    const chart = `${FIXTURES}/prints-capabilities`;
    const printed = async (args: string[]) => {
      const { stdout } = await promisify(execFile)(helm, ['template', 'x', chart, ...args]);
      const data = (parse(stdout.split('\n---\n').pop() ?? '') as { data: Record<string, string> }).data;
      return {
        kubeVersion: data.kubeVersion,
        apiVersions: (JSON.parse(data.apiVersions) as string[]).sort(),
      };
    };
    const loaded = loadKubeconfig({ path: kubeconfigPath() });
    const client = new KubeClient(loaded.config, loaded.server);
    try {
      // Other tests may add a CRD between the two reads: read again until both agree.
      let ours: HelmCapabilities | undefined;
      let helms: HelmCapabilities | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        ours = await readCapabilities(client, await Discovery.load(client));
        helms = await printed(['--validate', '--kubeconfig', kubeconfigPath()]);
        if (JSON.stringify(ours.apiVersions) === JSON.stringify(helms.apiVersions)) break;
      }
      assert.ok(ours && helms);
      assert.equal(ours.kubeVersion, helms.kubeVersion);
      assert.deepEqual(ours.apiVersions, helms.apiVersions);
      // Offline, helm takes them as given (on top of its built-in list).
      const given = await printed(capabilityArgs(ours));
      assert.equal(given.kubeVersion, ours.kubeVersion);
      assert.deepEqual(
        ours.apiVersions.filter((v) => !given.apiVersions.includes(v)),
        [],
      );
    } finally {
      client.close();
    }
  });

  it('a chart that branches on .Capabilities diffs clean after helm install', async () => {
    await helmInstall('caps', 'capabilities', ns.name);
    const live = JSON.parse(
      await kubectlOk(['get', 'configmap', 'caps-capabilities', '-n', ns.name, '-o', 'json']),
    ) as { data: Record<string, string> };
    const server = JSON.parse(await kubectlOk(['version', '-o', 'json'])) as {
      serverVersion: { gitVersion: string };
    };
    // helm install saw the cluster: the chart took the branches a default render does not.
    assert.deepEqual(live.data, {
      kubeVersion: server.serverVersion.gitVersion,
      gadgets: 'installed',
      gadgetKind: 'served',
    });

    const { code, report, stderr } = await diffJson(ns.name, 'caps', 'capabilities');
    assert.deepEqual(report.errors, []);
    assert.deepEqual(drifted(report), [], stderr);
    assert.equal(code, 0);

    // The render command does not connect: it says so, and renders with helm's defaults.
    const offline = await runCli(['render', `${FIXTURES}/capabilities`, '--helm-release-name', 'caps']);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /gadgets: absent/);
    assert.match(offline.stderr, /warning: 1 Helm chart\(s\) rendered without the cluster/);
  });

  it('a chart that keeps a generated password through lookup diffs clean after helm install', async () => {
    await helmInstall('pw', 'keeps-password', ns.name);
    const { code, report, stderr } = await diffJson(ns.name, 'pw', 'keeps-password');
    assert.deepEqual(report.errors, []);
    assert.deepEqual(drifted(report), [], stderr);
    assert.equal(code, 0);
  });

  it('on an untrusted run Secret lookups answer not-found, noted once, values masked', async () => {
    await kubectlOk(['get', 'secret', 'pw-admin', '-n', ns.name]).catch(() =>
      helmInstall('pw', 'keeps-password', ns.name),
    );
    const encoded = (
      await kubectlOk(['get', 'secret', 'pw-admin', '-n', ns.name, '-o', 'jsonpath={.data.password}'])
    ).trim();
    const password = Buffer.from(encoded, 'base64').toString('utf8');
    assert.equal(password.length, 24);

    const { code, report, stdout, stderr } = await diffJson(ns.name, 'pw', 'keeps-password', [
      '--trusted',
      'false',
    ]);
    assert.deepEqual(report.errors, []);
    // Without the existing password the chart generates another: the Secret and the checksum differ.
    assert.deepEqual(drifted(report).sort(), ['configured Deployment/pw-app', 'configured Secret/pw-admin']);
    assert.equal(code, 1);
    const noted = report.entries.filter((e) => e.note?.includes('lookup of Secrets answered "not found"'));
    assert.deepEqual(
      noted.map((e) => `${e.kind}/${e.name}`),
      ['Secret/pw-admin'],
    );
    const secret = report.entries.find((e) => e.kind === 'Secret')!;
    assert.deepEqual(
      secret.changes.map(({ path, before, after }) => ({ path, before, after })),
      [{ path: '/data/password', before: '*** (before)', after: '*** (after)' }],
    );
    for (const output of [stdout, stderr]) {
      assert.ok(!output.includes(password), 'the password is not printed');
      assert.ok(!output.includes(encoded), 'the encoded password is not printed');
    }

    // Applying what an untrusted render generated would replace the password: refused.
    const apply = await runCli([
      'apply',
      `${FIXTURES}/keeps-password`,
      '--namespace',
      ns.name,
      '--target',
      `${ns.name}-pw`,
      '--helm-release-name',
      'pw',
      '--kubeconfig',
      kubeconfigPath(),
      '--trusted',
      'false',
    ]);
    assert.equal(apply.code, 2);
    assert.match(apply.stderr, /apply is refused on an untrusted run/);
    const after = await kubectlOk([
      'get',
      'secret',
      'pw-admin',
      '-n',
      ns.name,
      '-o',
      'jsonpath={.data.password}',
    ]);
    assert.equal(after.trim(), encoded);

    // The same as the action sees it: a pull_request event makes the run untrusted.
    const previous = process.env.GITHUB_EVENT_NAME;
    process.env.GITHUB_EVENT_NAME = 'pull_request';
    try {
      const text = await diff(ns.name, 'pw', 'keeps-password');
      assert.equal(text.code, 1, text.stderr);
      assert.equal(
        text.stdout.split('lookup of Secrets answered "not found"').length - 1,
        1,
        `${text.stdout}\n${text.stderr}`,
      );
      assert.ok(!text.stdout.includes(password) && !text.stdout.includes(encoded));
    } finally {
      if (previous === undefined) delete process.env.GITHUB_EVENT_NAME;
      else process.env.GITHUB_EVENT_NAME = previous;
    }
  });

  it('a chart that copies a transformed Secret into a ConfigMap gets nothing on an untrusted run', async () => {
    const token = 'hunter2-correct-horse-battery';
    await kubectlOk([
      'create',
      'secret',
      'generic',
      'victim',
      '-n',
      ns.name,
      `--from-literal=token=${token}`,
    ]);

    const untrusted = await diffJson(ns.name, 'copy', 'copies-secret', ['--trusted', 'false']);
    assert.deepEqual(untrusted.report.errors, []);
    const configMap = untrusted.report.entries.find((e) => e.kind === 'ConfigMap' && e.name === 'copy-copy');
    assert.equal(configMap?.action, 'created');
    assert.match(configMap.note ?? '', /lookup of Secrets answered "not found"/);
    assert.match(configMap.diff, /copied: nothing/);
    assert.match(configMap.diff, /listed: "0"/);
    for (const output of [untrusted.stdout, untrusted.stderr]) {
      assert.ok(!output.toUpperCase().includes(token.toUpperCase()), 'no form of the token is printed');
    }

    // The chart is no dud: trusted (a push to the default branch, whose content the
    // repository's owners wrote), lookup reads the Secret and the ConfigMap carries it.
    const trusted = await diffJson(ns.name, 'copy', 'copies-secret');
    const copied = trusted.report.entries.find((e) => e.kind === 'ConfigMap' && e.name === 'copy-copy');
    assert.match(copied?.diff ?? '', new RegExp(`copied: ${token.toUpperCase()}`));
  });
});
