// Client mode (`--diff-mode client`, the read-only identity) on manifests written the way public
// projects write them (test/fixtures/client-noise): applied with kubectl apply --server-side, the
// server stores them otherwise than Git says (quantities, zeros and empty lists it drops,
// defaults inside atomic structures, ports it assigns), and client mode must find every object in
// sync, as the in-sync proof compares Git as the server stores it (src/drift/stored-form.ts).
// Then one hand edit per kind of noise: each must still be reported, never called in sync.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectlOk,
  REPO_ROOT,
  readonlyKubeconfigPath,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

interface Entry {
  kind: string;
  name: string;
  action: string;
  note?: string;
  changes: { path: string }[];
}
interface Report {
  entries: Entry[];
  errors: { message: string }[];
  verification?: { dryRun: number; proof: number; clientSide: number; notVerifiable: number };
}

const FIXTURE = join(REPO_ROOT, 'test/fixtures/client-noise/noise.yaml');
const NOT_VERIFIABLE = 'not verifiable without a dry-run';

describe('client mode on manifests the server stores otherwise than written', { timeout: 180_000 }, () => {
  let ns: TestNamespace;
  let repo: string;

  before(async () => {
    ns = await withNamespace('client-noise');
    repo = mkdtempSync(join(tmpdir(), 'kube-drift-client-noise-'));
    cpSync(FIXTURE, join(repo, 'app', 'noise.yaml'));
    await kubectlOk(['apply', '--server-side', '-n', ns.name, '-f', FIXTURE]);
  });

  after(async () => {
    await ns?.cleanup();
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  async function diff(
    mode: 'client' | 'server',
  ): Promise<{ code: number; report: Report; byName: Map<string, Entry> }> {
    const run = await runCli([
      'diff',
      '--path',
      join(repo, 'app'),
      '-n',
      ns.name,
      '--target',
      ns.name,
      '--kubeconfig',
      mode === 'client' ? readonlyKubeconfigPath() : kubeconfigPath(),
      '--diff-mode',
      mode,
      '--three-way',
      'off',
      '-o',
      'json',
    ]);
    assert.ok(
      run.stdout.startsWith('{'),
      `expected a JSON report: ${run.stdout.slice(0, 300)} ${run.stderr}`,
    );
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(report.errors, []);
    const byName = new Map(report.entries.map((e) => [`${e.kind.toLowerCase()}/${e.name}`, e]));
    return { code: run.code, report, byName };
  }
  const clientDiff = () => diff('client');

  it('as applied: every object proved in sync, none drifted, none not verifiable', async () => {
    const { code, report } = await clientDiff();
    const notInSync = report.entries
      .filter((e) => e.action !== 'unchanged')
      .map(
        (e) => `${e.kind}/${e.name} ${e.action} ${e.note ?? ''} ${e.changes.map((c) => c.path).join(' ')}`,
      );
    assert.deepEqual(notInSync, []);
    assert.equal(code, 0);
    assert.deepEqual(report.verification, { dryRun: 0, proof: 5, clientSide: 0, notVerifiable: 0 });
  });

  // One hand edit per kind of noise, as a person makes it. Where client mode can be exact, it
  // reports the object as server mode (a dry-run) does, field for field: the noise around the
  // edit must not show, nor hide the edit. [what, object, kubectl patch, what client mode reports]
  const edits: [string, string, string, 'as server mode' | 'not verifiable'][] = [
    [
      'a quantity (cpu 2000m in Git, 3 live)',
      'deployment/web',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/cpu","value":"3"}]',
      'as server mode',
    ],
    [
      'an image, next to every kind of noise in the Deployment',
      'deployment/web',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"ghcr.io/example/web:1.0.1"}]',
      'as server mode',
    ],
    [
      'a zero the server does not store (minReadySeconds 0 in Git, 10 live)',
      'deployment/web',
      '[{"op":"add","path":"/spec/minReadySeconds","value":10}]',
      'not verifiable',
    ],
    [
      'an empty list the server does not store (supplementalGroups [] in Git, [1000] live)',
      'deployment/web',
      '[{"op":"add","path":"/spec/template/spec/securityContext/supplementalGroups","value":[1000]}]',
      'not verifiable',
    ],
    [
      "a value Git sets inside an atomic map beside a default (a fieldRef's path)",
      'deployment/web',
      '[{"op":"replace","path":"/spec/template/spec/containers/0/env/0/valueFrom/fieldRef/fieldPath","value":"metadata.name"}]',
      'as server mode',
    ],
    [
      "a default inside an atomic list changed by hand (a NetworkPolicy port's protocol)",
      'networkpolicy/web',
      '[{"op":"replace","path":"/spec/ingress/0/ports/0/protocol","value":"UDP"}]',
      'not verifiable',
    ],
    [
      'a value Git sets beside that default (the NetworkPolicy port)',
      'networkpolicy/web',
      '[{"op":"replace","path":"/spec/ingress/0/ports/0/port","value":9090}]',
      'as server mode',
    ],
    [
      'a label added to an atomic selector (the NetworkPolicy pod selector)',
      'networkpolicy/web',
      '[{"op":"add","path":"/spec/podSelector/matchLabels/tier","value":"front"}]',
      'as server mode',
    ],
    [
      'a port the server assigns, changed by hand (nodePort)',
      'service/web',
      '[{"op":"replace","path":"/spec/ports/0/nodePort","value":31999}]',
      'as server mode',
    ],
    [
      'a replica count, next to the defaults of the volumeClaimTemplates',
      'statefulset/db',
      '[{"op":"replace","path":"/spec/replicas","value":2}]',
      'as server mode',
    ],
    [
      "an RBAC subject's defaulted group (another user)",
      'rolebinding/web-viewers',
      '[{"op":"replace","path":"/subjects/0/name","value":"joe@example.com"}]',
      'as server mode',
    ],
  ];
  const fieldsOf = (entry: Entry | undefined) =>
    entry ? `${entry.action} ${entry.changes.map((c) => c.path).join(' ')}` : '(not reported)';
  for (const [what, object, patch, expected] of edits) {
    it(`a hand edit is still found: ${what}`, async () => {
      await kubectlOk(['patch', '-n', ns.name, object, '--type', 'json', '-p', patch]);
      try {
        const client = await diff('client');
        const entry = client.byName.get(object);
        assert.ok(entry, `${object} is in the report`);
        if (expected === 'not verifiable') {
          assert.equal(entry.action, 'skipped', fieldsOf(entry));
          assert.ok(entry.note?.startsWith(NOT_VERIFIABLE), entry.note);
          assert.equal(client.code, 0);
          return;
        }
        const server = await diff('server');
        assert.notEqual(entry.action, 'unchanged', `${object}: the edit is found`);
        assert.equal(
          fieldsOf(entry),
          fieldsOf(server.byName.get(object)),
          `${object}: client mode as server mode`,
        );
        assert.equal(client.code, server.code);
      } finally {
        // Back to the applied state for the next edit: the object made again from Git.
        await kubectlOk(['delete', '-n', ns.name, object, '--wait']);
        await kubectlOk(['apply', '--server-side', '-n', ns.name, '-f', FIXTURE]);
      }
    });
  }
});
