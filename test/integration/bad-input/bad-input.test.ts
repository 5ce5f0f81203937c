// The bad-input corpus (test/fixtures/bad/): each input gets a clear error naming the file,
// object or input, exit status 2, and no write to the cluster: `kube-drift apply` with input
// that does not render writes nothing at all, and the namespace's objects keep their
// resourceVersions.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../../src/errors.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { parseSettings } from '../../../src/settings.ts';
import { runCli } from '../../support/cli.ts';
import {
  kubeconfigPath,
  kubectl,
  kubectlOk,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';

const BAD = 'test/fixtures/bad';
const GOOD = `${BAD}/good`;

/** Every object in the namespace with its resourceVersion, and whether the target has an inventory. */
async function snapshot(ns: string): Promise<string> {
  const objects = await kubectlOk([
    '-n',
    ns,
    'get',
    'configmaps,secrets,deployments,services,serviceaccounts,roles,rolebindings',
    '-o',
    'jsonpath={range .items[*]}{.kind}/{.metadata.name}@{.metadata.resourceVersion}{"\\n"}{end}',
  ]);
  const inventory = await kubectl([
    '-n',
    'kube-drift-system',
    'get',
    'configmap',
    `kube-drift-inventory-${ns}`,
  ]);
  return `${objects.split('\n').sort().join('\n')}\ninventory: ${inventory.code === 0}`;
}

interface RenderCase {
  name: string;
  paths: string[];
  /** The whole first line of the error, exactly. */
  error: RegExp;
}

// Each bad input sits beside a good ConfigMap that a partial apply would create.
const RENDER_CASES: RenderCase[] = [
  {
    name: 'malformed YAML',
    paths: [`${BAD}/malformed`, GOOD],
    error:
      /^kube-drift: test\/fixtures\/bad\/malformed\/deployment\.yaml:6: invalid YAML in document 1: Flow map in block collection must be sufficiently indented and end with a \} at line 6, column 1:$/,
  },
  {
    name: 'tabs as indentation',
    paths: [`${BAD}/tabs`, GOOD],
    error:
      /^kube-drift: test\/fixtures\/bad\/tabs\/configmap\.yaml:4: invalid YAML in document 1: Tabs are not allowed as indentation at line 4, column 1:$/,
  },
  {
    name: 'duplicate keys',
    paths: [`${BAD}/duplicate-keys`, GOOD],
    error:
      /^kube-drift: test\/fixtures\/bad\/duplicate-keys\/configmap\.yaml:8: invalid YAML in document 1: Map keys must be unique at line 8, column 3:$/,
  },
  {
    name: 'anchors-and-aliases bomb (billion laughs)',
    paths: [`${BAD}/alias-bomb`, GOOD],
    error:
      /^kube-drift: test\/fixtures\/bad\/alias-bomb\/configmap\.yaml:2: invalid YAML in document 1: Excessive alias count indicates a resource exhaustion attack$/,
  },
  {
    name: 'a Helm chart that fails to template',
    paths: [`${BAD}/helm-fails`, GOOD],
    error:
      /^kube-drift: test\/fixtures\/bad\/helm-fails\/Chart\.yaml: \S*helm template release test\/fixtures\/bad\/helm-fails --include-crds --no-hooks --namespace \S+( --kube-version v[\d.]+ --api-versions '<\d+ API versions of the cluster>' --dry-run=server --kubeconfig '<kube-drift lookup endpoint>')? failed \(exit status 1\):$/,
  },
  {
    name: 'a kustomization that references a missing file',
    paths: [`${BAD}/kustomize-missing`, GOOD],
    error:
      /^kube-drift: test\/fixtures\/bad\/kustomize-missing\/kustomization\.yaml: \S*kubectl kustomize test\/fixtures\/bad\/kustomize-missing .*failed \(exit status 1\):$/,
  },
];

describe('bad input: nothing renders, nothing is written', { timeout: 240_000 }, () => {
  let ns: TestNamespace;
  before(async () => {
    ns = await withNamespace('bad-input');
    await kubectlOk(['-n', ns.name, 'create', 'configmap', 'keep', '--from-literal=a=b']);
  });
  after(async () => ns?.cleanup());

  for (const c of RENDER_CASES) {
    it(`${c.name}: exit 2 naming the file, for render, diff and apply, and no write`, async () => {
      const before = await snapshot(ns.name);
      for (const command of ['render', 'diff', 'apply']) {
        const args = [command, ...c.paths.flatMap((p) => ['--path', p])];
        if (command !== 'render')
          args.push('--kubeconfig', kubeconfigPath(), '-n', ns.name, '--target', ns.name);
        const run = await runCli(args);
        assert.equal(run.code, 2, `${command}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr.split('\n')[0], c.error, `${command}: ${run.stderr}`);
        assert.equal(run.stdout, '', `${command} printed no report`);
      }
      assert.equal(await snapshot(ns.name), before, 'the namespace is untouched');
    });
  }

  it('the Helm and Kustomize errors carry the message of the tool', async () => {
    const helm = await runCli(['render', '--path', `${BAD}/helm-fails`]);
    assert.match(
      helm.stderr,
      /Error: execution error at \(fails\/templates\/configmap\.yaml:6:12\): values\.image is required/,
    );
    const kustomize = await runCli(['render', '--path', `${BAD}/kustomize-missing`]);
    assert.match(
      kustomize.stderr,
      /accumulating resources from 'service\.yaml': open \S+\/kustomize-missing\/service\.yaml: no such file or directory/,
    );
  });

  for (const [name, dir, subject, kind] of [
    ['an unknown kind', 'unknown-kind', 'Gizmo/mystery', 'v1 Gizmo'],
    [
      'a custom resource whose CRD is missing',
      'missing-crd',
      'Certificate/web-tls',
      'cert-manager.io/v1 Certificate',
    ],
  ]) {
    it(`${name}: diff exits 2 naming the object, file and line, and writes nothing`, async () => {
      const before = await snapshot(ns.name);
      const run = await runCli([
        'diff',
        '--kubeconfig',
        kubeconfigPath(),
        '-n',
        ns.name,
        '--target',
        ns.name,
        '--path',
        `${BAD}/${dir}`,
        '-o',
        'json',
      ]);
      assert.equal(run.code, 2);
      const report = JSON.parse(run.stdout) as { errors: { message: string; object?: string }[] };
      const file = `${BAD}/${dir}/${dir === 'unknown-kind' ? 'gizmo' : 'certificate'}.yaml`;
      const line = dir === 'unknown-kind' ? 8 : 9;
      assert.deepEqual(report.errors, [
        {
          message: `unknown kind ${kind} for ${subject} (${file}:${line}): the server does not serve it. Install its CustomResourceDefinition first, or fix apiVersion/kind.`,
          object: subject,
          file,
          line,
        },
      ]);
      assert.equal(await snapshot(ns.name), before);

      // apply refuses the whole plan: the valid ConfigMap beside it is not created either.
      const apply = await runCli([
        'apply',
        '--kubeconfig',
        kubeconfigPath(),
        '-n',
        ns.name,
        '--target',
        ns.name,
        '--path',
        `${BAD}/${dir}`,
        '-o',
        'json',
      ]);
      assert.equal(apply.code, 2, apply.stderr);
      const applied = JSON.parse(apply.stdout) as { entries: { action: string; note?: string }[] };
      assert.ok(applied.entries.length > 0);
      for (const entry of applied.entries) {
        assert.equal(entry.action, 'skipped');
        assert.match(
          entry.note ?? '',
          /^not applied: the plan has 1 error \(\S+\), and nothing is applied from a plan that could not check everything; fix it and run again$/,
        );
      }
      assert.equal(await snapshot(ns.name), before);
    });
  }

  it('a 20 MB document renders, and the diff names the object the API server refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-drift-huge-'));
    try {
      const blob = 'x'.repeat(20 * 1024 * 1024);
      writeFileSync(
        join(dir, 'huge.yaml'),
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  blob: ${blob}\n`,
      );
      const render = await runCli(['render', '--path', dir]);
      assert.equal(render.code, 0, render.stderr);
      assert.ok(render.stdout.includes(blob.slice(0, 1000)));
      const before = await snapshot(ns.name);
      const diff = await runCli([
        'diff',
        '--kubeconfig',
        kubeconfigPath(),
        '-n',
        ns.name,
        '--target',
        ns.name,
        '--path',
        dir,
        '-o',
        'json',
      ]);
      assert.equal(diff.code, 2);
      const report = JSON.parse(diff.stdout) as { errors: { message: string; object?: string }[] };
      assert.deepEqual(
        report.errors.map((e) => [e.object, e.message]),
        [
          [
            `ConfigMap/${ns.name}/huge`,
            `dry-run apply ConfigMap/${ns.name}/huge: Request entity too large: limit is 3145728`,
          ],
        ],
      );
      assert.equal(await snapshot(ns.name), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad kubeconfigs and settings: exit 2 before the cluster is touched', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a kubeconfig that is not YAML',
      ['--kubeconfig', `${BAD}/kubeconfig/not-yaml`],
      /^kube-drift: kubeconfig \/\S+\/test\/fixtures\/bad\/kubeconfig\/not-yaml could not be read: deficient indentation \(3:1\)$/,
    ],
    [
      'a kubeconfig without clusters',
      ['--kubeconfig', `${BAD}/kubeconfig/no-clusters.yaml`],
      /^kube-drift: \/\S+\/test\/fixtures\/bad\/kubeconfig\/no-clusters\.yaml has no clusters$/,
    ],
    [
      'a kubeconfig whose cluster goes through a proxy',
      ['--kubeconfig', `${BAD}/kubeconfig/proxy-url.yaml`],
      /^kube-drift: \/\S+\/test\/fixtures\/bad\/kubeconfig\/proxy-url\.yaml: cluster "behind-a-proxy" sets proxy-url, which kube-drift does not support$/,
    ],
    [
      'a context that does not exist',
      ['--kubeconfig', 'KUBECONFIG', '--context', 'nope'],
      /^kube-drift: context "nope" is not in \/\S+\/\.cluster\/kubeconfig$/,
    ],
    [
      'a kubeconfig file that does not exist',
      ['--kubeconfig', `${BAD}/kubeconfig/missing.yaml`],
      /^kube-drift: kubeconfig file \/\S+\/test\/fixtures\/bad\/kubeconfig\/missing\.yaml does not exist$/,
    ],
    [
      'an ignore rule whose path is not a JSON pointer',
      ['--kubeconfig', 'KUBECONFIG', '--ignore-file', `${BAD}/ignore/bad-pointer.yaml`],
      /^kube-drift: test\/fixtures\/bad\/ignore\/bad-pointer\.yaml: rule 0: path "spec\/replicas" is not a JSON pointer: a JSON pointer must start with "\/"$/,
    ],
    [
      'an ignore rule with a bad label selector',
      ['--kubeconfig', 'KUBECONFIG', '--ignore-file', `${BAD}/ignore/bad-selector.yaml`],
      /^kube-drift: test\/fixtures\/bad\/ignore\/bad-selector\.yaml: rule 0: target\.labelSelector "app in \(web": unbalanced "\("$/,
    ],
  ];
  for (const [name, flags, error] of cases) {
    for (const command of ['diff', 'apply']) {
      it(`${name} (${command})`, async () => {
        const args = [
          command,
          '--path',
          GOOD,
          '-n',
          'default',
          ...flags.map((f) => (f === 'KUBECONFIG' ? kubeconfigPath() : f)),
        ];
        const run = await runCli(args);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr.split('\n')[0], error, run.stderr);
        assert.equal(run.stdout, '');
        assert.doesNotMatch(run.stderr, /proxy-canary-password/);
      });
    }
  }

  it('an inline kubeconfig (action input) that is neither base64 nor YAML', () => {
    const settings = parseSettings(
      'diff',
      { path: 'test/fixtures/bad/good', kubeconfig: 'not a kubeconfig\n  at: [all' },
      { repoRoot: process.cwd(), isAction: true },
    );
    assert.deepEqual(settings.kubeconfig, { inline: 'not a kubeconfig\n  at: [all', context: undefined });
    assert.throws(
      () => loadKubeconfig(settings.kubeconfig, {}),
      (error: unknown) =>
        error instanceof InputError &&
        error.message === 'the inline kubeconfig is neither kubeconfig YAML nor base64 of it' &&
        error.hint ===
          'Pass the file content as is, or `base64 -w0 kubeconfig`. It must contain clusters, users and contexts.',
    );
    const base64OfText = Buffer.from('just words, no kubeconfig').toString('base64');
    const encoded = parseSettings(
      'diff',
      { path: 'test/fixtures/bad/good', kubeconfig: `${base64OfText}\n` },
      { repoRoot: process.cwd(), isAction: true },
    );
    assert.throws(
      () => loadKubeconfig(encoded.kubeconfig, {}),
      /^InputError: the inline kubeconfig is neither kubeconfig YAML nor base64 of it$/,
    );
  });
});
