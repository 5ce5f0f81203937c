// An Application whose source is a Helm chart in an OCI registry (go-containerregistry's on
// loopback, the chart pushed with helm push): rendered by kube-drift with no Argo CD, its
// objects applied as Argo CD applies them, then diffed through the CLI: to create first, clean
// after the sync, a new chart version previewed as changes of its Application, a missing
// version an error naming the chart reference; and a chart repository's index served over HTTP.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { renderArgo } from '../../../src/render/argocd/index.ts';
import { findTool } from '../../../src/render/tools.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  waitFor,
  withNamespace,
} from '../../support/cluster.ts';
import { type LocalRegistry, startRegistry } from '../../support/registry.ts';

const helm = findTool('helm');
const run = promisify(execFile);
const greeter = resolve(import.meta.dirname, '../../fixtures/flux/helm/charts/greeter');

interface JsonReport {
  entries: {
    kind: string;
    namespace: string | null;
    name: string;
    action: string;
    group?: string;
    changes: { path: string; before?: unknown; after?: unknown }[];
  }[];
  errors: { message: string }[];
}

describe('Argo CD Applications with charts from an OCI registry and a chart repository', {
  timeout: 300_000,
}, () => {
  let work: string;
  let repo: string;
  let registry: LocalRegistry;
  let ns: TestNamespace;

  async function push(version: string): Promise<void> {
    const chart = join(work, `greeter-${version}`, 'greeter');
    cpSync(greeter, chart, { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), `apiVersion: v2\nname: greeter\nversion: ${version}\n`);
    writeFileSync(
      join(chart, 'values.yaml'),
      `message: greeter ${version}\nreplicaCount: 1\nimage: busybox:1\n`,
    );
    await run(helm, ['package', chart, '--destination', join(work, 'packages')]);
    await run(
      helm,
      [
        'push',
        join(work, 'packages', `greeter-${version}.tgz`),
        `oci://${registry.host}/charts`,
        '--plain-http',
      ],
      {
        env: { ...process.env, HELM_REGISTRY_CONFIG: join(work, 'registry.json') },
      },
    );
  }

  /** The Application as a repository would hold it; `repoURL` a bare registry host or `oci://`. */
  function writeApplication(version: string, repoURL = `oci://${registry.host}/charts`): void {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'greeter', namespace: ns.name },
      spec: {
        project: 'default',
        source: {
          repoURL,
          chart: 'greeter',
          targetRevision: version,
          helm: { parameters: [{ name: 'replicaCount', value: '2' }] },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: ns.name },
      },
    };
    writeFileSync(join(repo, 'greeter.yaml'), stringify(app));
  }

  const path = () => relative(REPO_ROOT, repo);

  async function diff(): Promise<{ code: number; report: JsonReport; rows: string[] }> {
    const cli = await runCli([
      'diff',
      '--path',
      path(),
      '--source',
      'argocd',
      '--kubeconfig',
      kubeconfigPath(),
      '-n',
      ns.name,
      '--target',
      ns.name,
      '-o',
      'json',
    ]);
    assert.ok(
      cli.stdout.startsWith('{'),
      `expected a JSON report, got: ${cli.stdout.slice(0, 400)} ${cli.stderr}`,
    );
    const report = JSON.parse(cli.stdout) as JsonReport;
    const rows = report.entries
      .map((e) => {
        const changes = e.changes.map(
          (c) => ` ${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`,
        );
        return `${e.group} | ${e.kind}/${e.namespace ? `${e.namespace}/` : ''}${e.name} ${e.action}${changes.join(',')}`;
      })
      .sort();
    return { code: cli.code, report, rows };
  }

  before(async () => {
    const crds = execFileSync(join(REPO_ROOT, 'tools/argocd-crds.sh'), { encoding: 'utf8' }).trim();
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    await waitFor(
      async () =>
        (
          await kubectl([
            'get',
            'crd',
            'applications.argoproj.io',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Established")].status}',
          ])
        ).stdout.trim() === 'True',
      60_000,
      'the Application CRD to be Established',
    );
    work = mkdtempSync(join(tmpdir(), 'argocd-oci-'));
    repo = mkdtempSync(join(REPO_ROOT, '.argocd-oci-'));
    registry = await startRegistry();
    await push('0.1.0');
    await push('0.2.0');
    ns = await withNamespace('argocd-oci');
  });
  after(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (repo) rmSync(repo, { recursive: true, force: true });
    await ns?.cleanup();
  });

  it('previews the chart objects to create, in the Application, with its helm parameters', async () => {
    writeApplication('0.1.0');
    const { code, report, rows } = await diff();
    assert.deepEqual(report.errors, []);
    const app = `Application ${ns.name}/greeter`;
    assert.deepEqual(rows, [
      `${path()} | Application/${ns.name}/greeter created`,
      `${app} | ConfigMap/${ns.name}/greeter-message created`,
      `${app} | Deployment/${ns.name}/greeter created`,
    ]);
    assert.equal(code, 1);
  });

  it('finds no drift after the objects are applied as Argo CD applies them, then previews a new chart version', async () => {
    // A bare registry host (no scheme), as Argo CD takes OCI repositories, renders the same.
    writeApplication('0.1.0', `${registry.host}/charts`);
    const rendered = await renderArgo({
      repoRoot: REPO_ROOT,
      paths: [path()],
      repos: new Map(),
      namespace: ns.name,
    });
    assert.deepEqual(rendered.errors, []);
    const deployment = rendered.objects.find((d) => d.object.kind === 'Deployment')?.object as {
      spec?: { replicas?: number };
    };
    assert.equal(deployment.spec?.replicas, 2, 'the helm parameter replicaCount=2');
    for (const { object, group } of rendered.objects) {
      const copy = structuredClone(object);
      if (group?.startsWith('Application ')) {
        const g = copy.apiVersion.includes('/') ? copy.apiVersion.split('/')[0] : '';
        copy.metadata.annotations = {
          ...copy.metadata.annotations,
          'argocd.argoproj.io/tracking-id': `greeter:${g}/${copy.kind}:${copy.metadata.namespace}/${copy.metadata.name}`,
        };
      }
      await kubectlOk(['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], {
        input: stringify(copy),
      });
    }
    const synced = await diff();
    assert.deepEqual(synced.report.errors, []);
    assert.deepEqual(
      synced.rows.filter((r) => !r.endsWith(' unchanged')),
      [],
    );
    assert.equal(synced.rows.length, 3);
    assert.equal(synced.code, 0);

    writeApplication('0.2.0', `${registry.host}/charts`);
    const bumped = await diff();
    assert.deepEqual(bumped.report.errors, []);
    const app = `Application ${ns.name}/greeter`;
    assert.deepEqual(bumped.rows, [
      `${path()} | Application/${ns.name}/greeter configured /spec/source/targetRevision: "0.1.0" -> "0.2.0"`,
      `${app} | ConfigMap/${ns.name}/greeter-message configured /data/message: "greeter 0.1.0" -> "greeter 0.2.0"`,
      `${app} | Deployment/${ns.name}/greeter configured /metadata/labels/chart-version: "0.1.0" -> "0.2.0", /spec/template/spec/containers/0/env/0/value: "greeter 0.1.0" -> "greeter 0.2.0"`,
    ]);
    assert.equal(bumped.code, 1);
  });

  it('fetches a chart from a chart repository (its index over HTTP) at targetRevision, with helm values', async () => {
    const packages = join(work, 'packages');
    await run(helm, ['repo', 'index', packages]);
    const served: string[] = [];
    const server = createServer((request, response) => {
      served.push(request.url ?? '');
      const file = join(packages, (request.url ?? '/').replace(/^\/+/, ''));
      if (!file.startsWith(`${packages}/`) || !existsSync(file)) response.writeHead(404).end();
      else response.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const app = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'from-index', namespace: ns.name },
        spec: {
          source: {
            repoURL: url,
            chart: 'greeter',
            targetRevision: '0.1.0',
            helm: { values: 'message: from values\n' },
          },
          destination: { server: 'https://kubernetes.default.svc', namespace: ns.name },
        },
      };
      writeFileSync(join(repo, 'greeter.yaml'), stringify(app));
      const rendered = await renderArgo({
        repoRoot: REPO_ROOT,
        paths: [path()],
        repos: new Map(),
        namespace: ns.name,
      });
      assert.deepEqual(rendered.errors, []);
      const configMap = rendered.objects.find((d) => d.object.kind === 'ConfigMap');
      assert.deepEqual(
        [configMap?.group, configMap?.source.file, configMap?.object.metadata, configMap?.object.data],
        [
          `Application ${ns.name}/from-index`,
          `Application/${ns.name}/from-index`,
          { name: 'from-index-message', namespace: ns.name },
          { message: 'from values' },
        ],
      );
      const deployment = rendered.objects.find((d) => d.object.kind === 'Deployment')?.object;
      assert.equal(deployment?.metadata.labels?.['chart-version'], '0.1.0');
      assert.deepEqual(served, ['/index.yaml', '/greeter-0.1.0.tgz']);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('reports a chart version the registry does not hold as an error of its Application', async () => {
    writeApplication('9.9.9');
    const { report } = await diff();
    const messages = report.errors.map((e) => e.message);
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(
      messages[0],
      new RegExp(
        `^Application ${ns.name}/greeter: .*chart oci://${registry.host}/charts/greeter:9\\.9\\.9 could not be fetched`,
      ),
    );
  });
});
