import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findTool, lookupTool, RenderError, type RenderOptions, render } from '../../../src/render/index.ts';

const repoRoot = fileURLToPath(new URL('../../fixtures/render', import.meta.url));
const noHelm = { releaseName: 'rel', valuesFiles: [], set: [] };

function options(paths: string[], extra: Partial<RenderOptions> = {}): RenderOptions {
  return { repoRoot, paths, source: 'auto', helm: noHelm, ...extra };
}

/** What a report shows of each object: where it came from and what it is. */
type Row = [file: string, line: number, group: string | undefined, subject: string];

async function rows(opts: RenderOptions): Promise<Row[]> {
  const objects = await render(opts);
  return objects.map((d) => {
    const ns = d.object.metadata.namespace;
    return [
      d.source.file,
      d.source.line,
      d.group,
      `${d.object.kind}/${ns ? `${ns}/` : ''}${d.object.metadata.name}`,
    ];
  });
}

async function renderError(opts: RenderOptions): Promise<RenderError> {
  try {
    await render(opts);
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  assert.fail('render succeeded, but a RenderError was expected');
}

describe('render: sources', () => {
  const cases: { name: string; opts: RenderOptions; want: Row[] }[] = [
    {
      name: 'plain directory: sorted files, multi-document YAML with lines, List expanded, JSON',
      opts: options(['plain']),
      want: [
        ['plain/config.json', 1, 'plain', 'ConfigMap/from-json'],
        ['plain/list.yaml', 4, 'plain', 'ServiceAccount/one'],
        ['plain/list.yaml', 8, 'plain', 'ServiceAccount/two'],
        ['plain/multi.yaml', 3, 'plain', 'ConfigMap/demo/first'],
        ['plain/multi.yaml', 15, 'plain', 'Deployment/web'],
      ],
    },
    {
      name: 'a single file',
      opts: options(['plain/list.yaml']),
      want: [
        ['plain/list.yaml', 4, 'plain/list.yaml', 'ServiceAccount/one'],
        ['plain/list.yaml', 8, 'plain/list.yaml', 'ServiceAccount/two'],
      ],
    },
    {
      name: 'plain tree with a nested kustomization rendered by kustomize; hidden dirs and node_modules skipped',
      opts: options(['tree']),
      want: [
        ['tree/a.yaml', 1, 'tree', 'Namespace/tree'],
        ['tree/kust/cm.yaml', 1, 'tree/kust', 'ConfigMap/tree/from-kustomize'],
        ['tree/sub/b.yml', 1, 'tree', 'ServiceAccount/tree/b'],
      ],
    },
    {
      name: 'kustomize overlay: namePrefix, namespace and patch applied; objects traced to the base files',
      opts: options(['overlay/prod']),
      want: [
        ['overlay/base/service.yaml', 1, 'overlay/prod', 'Service/prod/prod-web'],
        ['overlay/base/deployment.yaml', 1, 'overlay/prod', 'Deployment/prod/prod-web'],
      ],
    },
    {
      name: 'kustomize overlay with a component and a generator: each traced to where it is written',
      opts: options(['overlay/staging']),
      want: [
        ['overlay/components/cache/cache.yaml', 1, 'overlay/staging', 'ConfigMap/staging/staging-cache'],
        [
          'overlay/staging/kustomization.yaml',
          10,
          'overlay/staging',
          'ConfigMap/staging/staging-settings-t82mkhg8fd',
        ],
        ['overlay/base/service.yaml', 1, 'overlay/staging', 'Service/staging/staging-web'],
        ['overlay/base/deployment.yaml', 1, 'overlay/staging', 'Deployment/staging/staging-web'],
      ],
    },
    {
      name: 'several paths in one run, in the order given',
      opts: options(['plain/config.json', 'tree/a.yaml']),
      want: [
        ['plain/config.json', 1, 'plain/config.json', 'ConfigMap/from-json'],
        ['tree/a.yaml', 1, 'tree/a.yaml', 'Namespace/tree'],
      ],
    },
    {
      name: 'absolute paths are shown relative to the repository',
      opts: options([`${repoRoot}/tree/sub`]),
      want: [['tree/sub/b.yml', 1, 'tree/sub', 'ServiceAccount/tree/b']],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => assert.deepEqual(await rows(c.opts), c.want));
  }

  it('skips hidden files and directories, node_modules and files that are not manifests', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kube-drift-render-'));
    const files: Record<string, string> = {
      'apps/a.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n',
      'apps/node_modules/pkg/bad.yaml': 'not: [valid\n',
      'apps/.git/bad.yaml': 'not: [valid\n',
      'apps/.yamllint.yml': 'rules: {}\n',
      'apps/README.md': '# not a manifest\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const objects = await render({ ...options(['apps']), repoRoot: root });
    assert.deepEqual(
      objects.map((d) => [d.source.file, d.object.metadata.name]),
      [['apps/a.yaml', 'a']],
    );
  });

  it('the overlay patch and prefix are in the rendered object', async () => {
    const [, deployment] = await render(options(['overlay/prod']));
    assert.equal(deployment.object.metadata.name, 'prod-web');
    assert.equal((deployment.object.spec as { replicas: number }).replicas, 3);
  });
});

describe('render: helm', () => {
  const helmBinary = lookupTool('helm');
  const requireHelm = () => {
    if (!helmBinary) {
      assert.fail(
        'helm was not found (KUBE_DRIFT_HELM, PATH, ~/.cache/kube-drift/bin/helm): build it with the cluster tools (tools/cluster) or install Helm',
      );
    }
  };

  it('renders a local chart with values files and --set; objects point at their templates; hooks left out', async () => {
    requireHelm();
    const opts = options(['chart/demo'], {
      helm: {
        releaseName: 'rel',
        namespace: 'apps',
        valuesFiles: ['chart/values-prod.yaml'],
        set: ['greeting=hi'],
      },
    });
    assert.deepEqual(await rows(opts), [
      ['chart/demo/templates/configmap.yaml', 1, 'chart/demo', 'ConfigMap/rel-config'],
      ['chart/demo/templates/deployment.yaml', 1, 'chart/demo', 'Deployment/rel-web'],
    ]);
    const [configMap, deployment] = await render(opts);
    assert.deepEqual(configMap.object.data, { greeting: 'hi' });
    assert.equal((deployment.object.spec as { replicas: number }).replicas, 4);
  });

  it('a failed helm run shows the command (with --set values masked) and helm’s stderr', async () => {
    requireHelm();
    const error = await renderError(
      options(['errors/broken-chart'], { helm: { ...noHelm, set: ['password=canary-s3cret'] } }),
    );
    assert.equal(error.problems.length, 1);
    const [problem] = error.problems;
    assert.equal(problem.file, 'errors/broken-chart/Chart.yaml');
    assert.match(
      problem.message,
      new RegExp(
        `^${escapeRegExp(findTool('helm'))} template rel errors/broken-chart --include-crds --no-hooks --set password=\\*\\*\\* failed \\(exit status 1\\):\\n.*set \\.Values\\.name`,
        's',
      ),
    );
    assert.doesNotMatch(error.message, /canary/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('render: errors, all reported at once', () => {
  const cases: { name: string; paths: string[]; want: string[] }[] = [
    {
      name: 'malformed YAML: file, line and the parser message with its snippet',
      paths: ['errors/bad-yaml.yaml'],
      want: [
        'errors/bad-yaml.yaml:7: invalid YAML in document 1: Flow sequence in block collection must be sufficiently indented and end with a ] at line 7, column 3:\n  list: [a, b\n  other: c\n  ^',
      ],
    },
    {
      name: 'tab indentation',
      paths: ['errors/tab.yaml'],
      want: [
        'errors/tab.yaml:4: invalid YAML in document 1: Tabs are not allowed as indentation at line 4, column 1:\nmetadata:\n\tname: tabbed\n^',
      ],
    },
    {
      name: 'duplicate keys',
      paths: ['errors/dup-keys.yaml'],
      want: [
        'errors/dup-keys.yaml:7: invalid YAML in document 1: Map keys must be unique at line 7, column 3:\n  key: one\n  key: two\n  ^',
      ],
    },
    {
      name: 'an error inside a Secret names the place, not the values',
      paths: ['errors/secret-dup-keys.yaml'],
      want: [
        'errors/secret-dup-keys.yaml:7: invalid YAML in document 1: Map keys must be unique at line 7, column 3 (source not shown: the document is a Secret)',
      ],
    },
    {
      name: 'an alias bomb fails fast',
      paths: ['errors/bomb.yaml'],
      want: [
        'errors/bomb.yaml:1: invalid YAML in document 1: Excessive alias count indicates a resource exhaustion attack',
      ],
    },
    {
      name: 'documents that are not complete objects: file, line and document index',
      paths: ['errors/incomplete.yaml'],
      want: [
        'errors/incomplete.yaml:6: document 2 has no apiVersion, metadata.name',
        'errors/incomplete.yaml:10: document 3 is not a Kubernetes object (a mapping with apiVersion, kind and metadata.name)',
      ],
    },
    {
      name: 'the same object twice names both places (another namespace is another object)',
      paths: ['errors/dupes'],
      want: [
        'errors/dupes/b.yaml:2: ConfigMap/twice (v1) is defined twice: at errors/dupes/a.yaml:1 and at errors/dupes/b.yaml:2',
      ],
    },
    {
      name: 'the same object from two paths',
      paths: ['plain/list.yaml', 'plain'],
      want: [
        'plain/list.yaml:4: ServiceAccount/one (v1) is defined twice: at plain/list.yaml:4 and at plain/list.yaml:4',
        'plain/list.yaml:8: ServiceAccount/two (v1) is defined twice: at plain/list.yaml:8 and at plain/list.yaml:8',
      ],
    },
    {
      name: 'a path that does not exist',
      paths: ['no/such/dir'],
      want: ['no/such/dir: path no/such/dir does not exist'],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const error = await renderError(options(c.paths));
      const shown = error.problems.map(
        (p) => `${p.line === undefined ? p.file : `${p.file}:${p.line}`}: ${p.message}`,
      );
      assert.deepEqual(shown, c.want);
      assert.doesNotMatch(error.message, /canary/);
    });
  }

  it('one error lists every problem from every path', async () => {
    const error = await renderError(options(['errors/tab.yaml', 'no/such/dir', 'errors/dupes']));
    assert.equal(
      error.message,
      [
        '3 problems while rendering manifests:',
        '  errors/tab.yaml:4: invalid YAML in document 1: Tabs are not allowed as indentation at line 4, column 1:',
        '    metadata:',
        '    \tname: tabbed',
        '    ^',
        '  no/such/dir: path no/such/dir does not exist',
        '  errors/dupes/b.yaml:2: ConfigMap/twice (v1) is defined twice: at errors/dupes/a.yaml:1 and at errors/dupes/b.yaml:2',
      ].join('\n'),
    );
    assert.equal(error.file, 'errors/tab.yaml');
    assert.equal(error.line, 4);
  });

  it('a failed kustomize run shows the command and its stderr', async () => {
    const error = await renderError(options(['errors/broken-kustomize']));
    assert.equal(error.problems.length, 1);
    const [problem] = error.problems;
    assert.equal(problem.file, 'errors/broken-kustomize/kustomization.yaml');
    const command = `${findTool('kubectl')} kustomize errors/broken-kustomize --load-restrictor=LoadRestrictionsNone`;
    assert.ok(
      problem.message.startsWith(`${command} failed (exit status 1):\nerror: accumulating resources`),
      problem.message,
    );
    assert.match(problem.message, /missing\.yaml: no such file or directory/);
  });

  it('a helm binary that cannot be started is named with the command', async () => {
    const error = await renderError(options(['chart/demo'], { tools: { helm: '/no/such/helm' } }));
    assert.equal(
      error.message,
      'chart/demo/Chart.yaml: could not run /no/such/helm template rel chart/demo --include-crds --no-hooks: spawn /no/such/helm ENOENT',
    );
  });

  it('a missing helm is named with how to install it', async () => {
    const saved = {
      PATH: process.env.PATH,
      KUBE_DRIFT_CACHE: process.env.KUBE_DRIFT_CACHE,
      KUBE_DRIFT_HELM: process.env.KUBE_DRIFT_HELM,
    };
    const empty = mkdtempSync(join(tmpdir(), 'kube-drift-empty-'));
    Object.assign(process.env, { PATH: empty, KUBE_DRIFT_CACHE: empty });
    delete process.env.KUBE_DRIFT_HELM;
    try {
      const error = await renderError(options(['chart/demo']));
      assert.equal(
        error.message,
        `chart/demo/Chart.yaml: helm was not found on PATH nor in ${empty}/bin\n      install Helm (https://helm.sh/docs/intro/install/, or \`go install helm.sh/helm/v3/cmd/helm@latest\`), or set KUBE_DRIFT_HELM to its path.`,
      );
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('source kustomize on a file is refused', async () => {
    const error = await renderError(options(['plain/list.yaml'], { source: 'kustomize' }));
    assert.equal(
      error.message,
      'plain/list.yaml: source kustomize needs a directory, but plain/list.yaml is a file',
    );
  });
});
