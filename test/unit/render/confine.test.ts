// The confinement checker: which file references of a kustomization tree, a chart and a path
// are refused, named how, and which trees count as remote (built root-only).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { confinement, confinementRoot, escapes, treeViolations } from '../../../src/render/confine.ts';
import { RenderError, render } from '../../../src/render/index.ts';
import { checkKustomization, loadRestrictorFlag } from '../../../src/render/kustomize-refs.ts';

// <top>/outside.txt, <top>/outside-dir/, <top>/repo/{.git/config, shared-base/, <case>/}
const top = realpathSync(mkdtempSync(join(tmpdir(), 'kube-drift-confine-')));
const repo = join(top, 'repo');
const write = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};
write(join(top, 'outside.txt'), 'CANARY\n');
write(join(top, 'outside-dir/kustomization.yaml'), 'resources: []\n');
write(join(repo, '.git/config'), '[core]\n');
write(join(repo, 'shared-base/kustomization.yaml'), 'resources: [cm.yaml]\n');
write(join(repo, 'shared-base/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\n');
write(join(repo, 'shared-base/app.env'), 'A=1\n');

const OUT = 'is outside the repository';
const GIT = 'is inside .git';
const LINK_OUT = `resolves through a symlink to ${join(top, 'outside.txt')}, outside the repository`;

interface Case {
  name: string;
  kustomization: string;
  /** Extra files in the case's directory; a value starting with `->` makes a symlink. */
  files?: Record<string, string>;
  /** [field, path, reason], in the order the checker meets them. */
  want: [string, string, string][];
  remote?: boolean;
}

const cases: Case[] = [
  {
    name: 'plain resources and ../shared-base inside the repo',
    kustomization: 'resources: [../shared-base]\n',
    want: [],
  },
  {
    name: 'a ../ file inside the repo',
    kustomization: 'configMapGenerator: [{name: x, envs: [../shared-base/app.env]}]\n',
    want: [],
  },
  {
    name: '/proc/self/environ in configMapGenerator files with a key',
    kustomization: 'configMapGenerator: [{name: x, files: [env=/proc/self/environ]}]\n',
    want: [['configMapGenerator[0].files', '/proc/self/environ', OUT]],
  },
  {
    name: '../../outside.txt in secretGenerator env and envs',
    kustomization: 'secretGenerator: [{name: x, env: ../../outside.txt, envs: [/etc/hosts]}]\n',
    want: [
      ['secretGenerator[0].envs', '/etc/hosts', OUT],
      ['secretGenerator[0].env', '../../outside.txt', OUT],
    ],
  },
  {
    name: 'a symlink in the repository pointing outside',
    kustomization: 'configMapGenerator: [{name: x, files: [link.txt]}]\n',
    files: { 'link.txt': '->../../outside.txt' },
    want: [['configMapGenerator[0].files', 'link.txt', LINK_OUT]],
  },
  {
    name: '.git/config, directly and through a symlink',
    kustomization: 'configMapGenerator: [{name: x, files: [../.git/config, git.txt]}]\n',
    files: { 'git.txt': '->../.git/config' },
    want: [
      ['configMapGenerator[0].files', '../.git/config', GIT],
      [
        'configMapGenerator[0].files',
        'git.txt',
        `resolves through a symlink to ${join(repo, '.git/config')}, inside .git`,
      ],
    ],
  },
  {
    name: 'patches, patchesJson6902, replacements and path-like patchesStrategicMerge (inline ones are not paths)',
    kustomization: [
      'patches: [{path: /etc/hosts}]',
      'patchesJson6902: [{path: ../../outside.txt, target: {kind: X}}]',
      'replacements: [{path: /etc/passwd}]',
      'patchesStrategicMerge: [/etc/group, "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a}\\n"]',
      '',
    ].join('\n'),
    want: [
      ['patches[0].path', '/etc/hosts', OUT],
      ['patchesJson6902[0].path', '../../outside.txt', OUT],
      ['replacements[0].path', '/etc/passwd', OUT],
      ['patchesStrategicMerge', '/etc/group', OUT],
    ],
  },
  {
    name: 'crds, configurations, openapi.path, components',
    kustomization:
      'crds: [/etc/a]\nconfigurations: [/etc/b]\nopenapi: {path: /etc/c}\ncomponents: [../../outside-dir]\n',
    want: [
      ['components', '../../outside-dir', OUT],
      ['crds', '/etc/a', OUT],
      ['configurations', '/etc/b', OUT],
      ['openapi.path', '/etc/c', OUT],
    ],
  },
  {
    name: 'a transformer config file and an inline generator naming outside files',
    kustomization: [
      'transformers: [patch.yaml]',
      'generators:',
      '- |',
      '  apiVersion: builtin',
      '  kind: ConfigMapGenerator',
      '  metadata: {name: g}',
      '  files: [/proc/self/environ]',
      '',
    ].join('\n'),
    files: {
      'patch.yaml': 'apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: p}\npath: /etc/hosts\n',
    },
    want: [
      ['generators ConfigMapGenerator.files', '/proc/self/environ', OUT],
      ['transformers PatchTransformer.path', '/etc/hosts', OUT],
    ],
  },
  {
    name: 'helmCharts values files and chartHome',
    kustomization:
      'helmGlobals: {chartHome: ../../outside-dir}\nhelmCharts: [{name: c, valuesFile: /etc/hosts, additionalValuesFiles: [../../outside.txt]}]\nhelmChartInflationGenerator: [{chartName: c, values: /etc/passwd}]\n',
    want: [
      ['helmGlobals.chartHome', '../../outside-dir', OUT],
      ['helmChartInflationGenerator[0].values', '/etc/passwd', OUT],
      ['helmCharts[0].valuesFile', '/etc/hosts', OUT],
      ['helmCharts[0].additionalValuesFiles', '../../outside.txt', OUT],
    ],
  },
  {
    name: 'a base directory symlinked outside',
    kustomization: 'resources: [base]\n',
    files: { base: '->../../outside-dir' },
    want: [
      [
        'resources',
        'base',
        `resolves through a symlink to ${join(top, 'outside-dir')}, outside the repository`,
      ],
    ],
  },
  {
    name: 'remote bases are allowed, and make the build root-only; file:// is not',
    kustomization:
      'resources:\n- https://github.com/org/repo//deploy?ref=v1\n- github.com/org/repo/deploy?ref=v1\n- git@github.com:org/repo.git\n- gh:org/repo\n- file:///etc\n',
    want: [['resources', 'file:///etc', 'reads a local Git repository by URL']],
    remote: true,
  },
];

cases.push({
  name: 'a missing local resource is not remote: kustomize reports it, no restrictor change',
  kustomization: 'resources: [missing.yaml, not/there]\n',
  want: [],
});

cases.push(
  {
    name: 'a file named through a YAML merge key is seen, as kustomize sees it',
    kustomization: 'x: &gen {name: x, files: [/etc/shadow]}\nconfigMapGenerator: [{<<: *gen}]\n',
    want: [['configMapGenerator[0].files', '/etc/shadow', OUT]],
  },
  {
    name: 'a kustomization the check cannot read is refused, not skipped',
    kustomization: 'configMapGenerator: [{name: x}]\nconfigMapGenerator: [{name: y, files: [/etc/hosts]}]\n',
    want: [
      [
        'kustomization',
        'case-14/kustomization.yaml',
        'cannot be checked: Map keys must be unique at line 2, column 1:',
      ],
    ],
  },
);

describe('checkKustomization', () => {
  const c = confinement(repo);
  cases.forEach((tc, i) => {
    it(tc.name, () => {
      const dir = join(repo, `case-${i}`);
      write(join(dir, 'kustomization.yaml'), tc.kustomization);
      for (const [name, content] of Object.entries(tc.files ?? {})) {
        if (content.startsWith('->')) symlinkSync(content.slice(2), join(dir, name));
        else write(join(dir, name), content);
      }
      const check = checkKustomization(c, dir);
      const want = tc.want.map(([field, path, reason]) => [
        `case-${i}/kustomization.yaml`,
        field,
        path,
        reason,
      ]);
      assert.deepEqual(
        check.violations.map((v) => [v.file, v.field, v.path, v.reason]),
        want,
      );
      assert.equal(check.remote, tc.remote ?? false);
      assert.equal(
        loadRestrictorFlag(check),
        tc.remote ? '--load-restrictor=LoadRestrictionsRootOnly' : '--load-restrictor=LoadRestrictionsNone',
      );
    });
  });

  it('follows bases and names the kustomization that holds the reference', () => {
    write(
      join(repo, 'nested/base/kustomization.yaml'),
      'configMapGenerator: [{name: x, files: [/etc/hosts]}]\n',
    );
    write(join(repo, 'nested/overlay/kustomization.yaml'), 'resources: [../base]\n');
    const check = checkKustomization(c, join(repo, 'nested/overlay'));
    assert.deepEqual(
      check.violations.map((v) => [v.file, v.field, v.path]),
      [['nested/base/kustomization.yaml', 'configMapGenerator[0].files', '/etc/hosts']],
    );
  });

  it('a kustomization file that is itself a symlink out is refused', () => {
    mkdirSync(join(repo, 'linked'));
    symlinkSync(join(top, 'outside-dir/kustomization.yaml'), join(repo, 'linked/kustomization.yaml'));
    const check = checkKustomization(c, join(repo, 'linked'));
    assert.deepEqual(
      check.violations.map((v) => [v.file, v.field]),
      [['linked/kustomization.yaml', 'kustomization']],
    );
  });
});

describe('escapes, treeViolations, confinementRoot', () => {
  const c = confinement(repo);
  it('judges paths as written and as resolved', () => {
    const table: [string, string | undefined][] = [
      [join(repo, 'shared-base/cm.yaml'), undefined],
      [join(repo, 'not-there/yet.yaml'), undefined],
      [repo, undefined],
      [join(repo, '..', 'outside.txt'), OUT],
      ['/proc/self/environ', OUT],
      [join(repo, '.git'), GIT],
      [join(repo, 'sub/.git/x'), GIT],
      [
        join(repo, 'dangling'),
        `resolves through a symlink to ${join(top, 'nowhere/new.txt')}, outside the repository`,
      ],
    ];
    symlinkSync('../nowhere/new.txt', join(repo, 'dangling'));
    for (const [path, reason] of table) assert.equal(escapes(c, path), reason, path);
  });

  it('finds symlinks leading out of a chart directory, and refuses a chart directory outside', () => {
    write(join(repo, 'chart/Chart.yaml'), 'name: c\nversion: 1.0.0\napiVersion: v2\n');
    mkdirSync(join(repo, 'chart/templates'));
    symlinkSync('../../../outside.txt', join(repo, 'chart/templates/cm.yaml'));
    symlinkSync('../shared-base', join(repo, 'chart/inside'));
    assert.deepEqual(
      treeViolations(c, join(repo, 'chart'), 'chart/Chart.yaml').map((v) => [v.field, v.path, v.reason]),
      [['symlink', 'chart/templates/cm.yaml', LINK_OUT]],
    );
    assert.deepEqual(
      treeViolations(c, join(top, 'outside-dir'), 'x/Chart.yaml').map((v) => [v.field, v.reason]),
      [['directory', OUT]],
    );
  });

  it('is the Git work tree holding the path, else the path itself', () => {
    mkdirSync(join(repo, 'deep/er'), { recursive: true });
    assert.equal(confinementRoot(join(repo, 'deep/er')), repo);
    assert.equal(confinementRoot(join(top, 'outside-dir')), join(top, 'outside-dir'));
  });
});

describe('render() confines each path', () => {
  const opts = (paths: string[]) => ({
    repoRoot: repo,
    paths,
    source: 'auto' as const,
    helm: { releaseName: 'r', valuesFiles: [], set: [] },
  });

  it('refuses a path in the repository that is a symlink out', async () => {
    symlinkSync('../outside-dir', join(repo, 'deploy'));
    await assert.rejects(render(opts(['deploy'])), (error: unknown) => {
      assert.ok(error instanceof RenderError);
      assert.equal(
        error.message,
        `deploy: path 'deploy' resolves through a symlink to ${join(top, 'outside-dir')}, outside the repository: kube-drift renders only files inside the repository (never under .git), so nothing of this target was rendered. Move the file into the repository or reference it by a path inside it.`,
      );
      return true;
    });
  });

  it('refuses a Helm values file in the repository that is a symlink out', async () => {
    write(join(repo, 'valued/Chart.yaml'), 'apiVersion: v2\nname: valued\nversion: 1.0.0\n');
    symlinkSync('../outside.txt', join(repo, 'values.yaml'));
    const options = {
      ...opts(['valued']),
      helm: { releaseName: 'r', valuesFiles: ['values.yaml'], set: [] },
    };
    await assert.rejects(render(options), (error: unknown) => {
      assert.ok(error instanceof RenderError);
      const want = `valued/Chart.yaml: values file 'values.yaml' resolves through a symlink to ${join(top, 'outside.txt')}, outside`;
      assert.ok(error.message.startsWith(want), error.message);
      return true;
    });
  });

  it('renders a directory the operator names outside the repository, confined to it', async () => {
    write(join(top, 'elsewhere/kustomization.yaml'), 'resources: [cm.yaml]\n');
    write(join(top, 'elsewhere/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere}\n');
    const objects = await render(opts([join(top, 'elsewhere')]));
    assert.deepEqual(
      objects.map((o) => o.object.metadata.name),
      ['elsewhere'],
    );
    write(join(top, 'elsewhere/kustomization.yaml'), 'resources: [cm.yaml, ../outside-dir]\n');
    await assert.rejects(
      render(opts([join(top, 'elsewhere')])),
      /resources '..\/outside-dir' is outside the repository/,
    );
  });
});
