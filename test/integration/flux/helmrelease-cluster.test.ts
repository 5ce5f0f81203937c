// HelmReleases render as helm-controller renders them: with the target cluster's capabilities
// and lookup answered by the cluster (through kube-drift's read-only endpoint). A release
// installed with the real `helm install` renders to the objects in the cluster.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { KubeClient } from '../../../src/kube/client.ts';
import { Discovery } from '../../../src/kube/discovery.ts';
import { type HelmClusterAccess, openHelmCluster } from '../../../src/kube/helm-cluster.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { Redactor } from '../../../src/redaction.ts';
import { renderFlux } from '../../../src/render/flux/index.ts';
import { HelmRenderContext } from '../../../src/render/helm-run.ts';
import { findTool } from '../../../src/render/tools.ts';
import {
  kubeconfigPath,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const CHARTS = join(REPO_ROOT, 'test/fixtures/helm-cluster');
const helm = findTool('helm');

let ns: TestNamespace;
let work: string;
let client: KubeClient;
let cluster: HelmClusterAccess;
const redactor = new Redactor();

const release = (name: string, chart: string, namespace: string) =>
  JSON.stringify({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace },
    spec: {
      interval: '10m',
      chart: {
        spec: {
          chart: `./charts/${chart}`,
          sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
        },
      },
    },
  });

before(async () => {
  ns = await withNamespace('kd-hr');
  await kubectlOk(['apply', '-f', join(CHARTS, 'gadget-crd.yaml')]);
  await kubectlOk(['wait', '--for=condition=Established', 'crd/gadgets.capabilities.kube-drift.dev']);
  for (const [name, chart] of [
    ['caps', 'capabilities'],
    ['pw', 'keeps-password'],
  ])
    await promisify(execFile)(helm, [
      'install',
      name,
      join(CHARTS, chart),
      '-n',
      ns.name,
      '--kubeconfig',
      kubeconfigPath(),
    ]);
  work = mkdtempSync(join(tmpdir(), 'kd-hr-'));
  cpSync(CHARTS, join(work, 'charts'), { recursive: true });
  mkdirSync(join(work, 'clusters/test'), { recursive: true });
  writeFileSync(
    join(work, 'clusters/test/releases.yaml'),
    [release('caps', 'capabilities', ns.name), release('pw', 'keeps-password', ns.name)].join('\n---\n'),
  );
  const loaded = loadKubeconfig({ path: kubeconfigPath() });
  client = new KubeClient(loaded.config, loaded.server);
  cluster = await openHelmCluster(client, await Discovery.load(client), {
    hideSecrets: false,
    onSecret: (secret) => redactor.addSecretObject(secret as never),
  });
});

after(async () => {
  await cluster?.close();
  client?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  await ns?.cleanup();
});

test('HelmReleases render with the cluster: capabilities and lookup, as installed', async () => {
  const result = await renderFlux({
    repoRoot: work,
    paths: ['clusters/test'],
    helmContext: new HelmRenderContext(cluster),
  });
  assert.deepEqual(result.errors, []);
  const rendered = (kind: string, name: string) =>
    result.objects.find((o) => o.object.kind === kind && o.object.metadata.name === name)?.object;
  const live = async (kind: string, name: string) =>
    JSON.parse(await kubectlOk(['get', kind, name, '-n', ns.name, '-o', 'json']));

  assert.deepEqual(
    rendered('ConfigMap', 'caps-capabilities')?.data,
    (await live('configmap', 'caps-capabilities')).data,
  );
  const secret = await live('secret', 'pw-admin');
  assert.deepEqual(rendered('Secret', 'pw-admin')?.data, secret.data);
  const annotations = (object: unknown) =>
    (object as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template
      .metadata.annotations;
  assert.deepEqual(
    annotations(rendered('Deployment', 'pw-app')),
    annotations(await live('deployment', 'pw-app')),
  );
  // What lookup read is a Secret value: masked wherever it would be printed.
  const password = Buffer.from(secret.data.password, 'base64').toString('utf8');
  assert.equal(redactor.redact(`password ${password}`), 'password ***');
});
