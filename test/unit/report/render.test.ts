import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeSet } from '../../../src/model.ts';
import { renderJson } from '../../../src/report/json.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { buildReport, type ReportMeta } from '../../../src/report/model.ts';
import { renderText } from '../../../src/report/text.ts';
import {
  attributionChangeSet,
  inSyncChangeSet,
  META,
  mixedChangeSet,
  THREE_WAY_META,
  threeWayChangeSet,
} from './fixtures.ts';
import { assertGolden, openDetails, openFences } from './helpers.ts';

const fileUrl = (file: string, line: number) => `https://github.com/acme/infra/blob/3f2c1a9/${file}#L${line}`;

const CASES: Array<{ name: string; changeSet: () => ChangeSet; meta?: ReportMeta }> = [
  { name: 'in-sync', changeSet: inSyncChangeSet },
  { name: 'mixed', changeSet: mixedChangeSet },
  { name: 'three-way', changeSet: threeWayChangeSet, meta: THREE_WAY_META },
  { name: 'attribution', changeSet: attributionChangeSet },
];

describe('golden outputs', () => {
  for (const { name, changeSet, meta } of CASES) {
    it(`${name}: Markdown, text and JSON match the reviewed files`, () => {
      const report = buildReport(changeSet(), meta ?? META);
      const markdown = renderMarkdown(report, { fileUrl, title: 'kube-drift: production' });
      assertGolden(`${name}.md`, markdown);
      assertGolden(`${name}.txt`, renderText(report));
      assertGolden(`${name}.json`, renderJson(report));
      assert.equal(openFences(markdown), 0);
      assert.equal(openDetails(markdown), 0);
    });
  }
});

describe('Markdown', () => {
  it('starts with the verdict (after the optional title)', () => {
    const table: Array<[() => ChangeSet, string]> = [
      [inSyncChangeSet, '**✅ In sync: 12 objects match Git**'],
      [threeWayChangeSet, '**⚠️ Drift: 2 configured, 1 to create across 5 objects**'],
      [
        mixedChangeSet,
        '**❌ 2 errors, the comparison is incomplete; drift: 2 configured, 1 to create, 1 to delete across 8 objects**',
      ],
    ];
    for (const [changeSet, first] of table) {
      assert.equal(renderMarkdown(buildReport(changeSet(), META)).split('\n')[0], first);
    }
  });

  it('says "Applied Git" in apply mode', () => {
    const report = buildReport(attributionChangeSet(), { ...META, mode: 'apply' });
    assert.match(renderMarkdown(report), /^\*\*🔧 Applied Git: 2 configured across 2 objects\*\*/);
  });

  it('shows masked Secret values as masked, links sources, lists skipped objects and errors with their place', () => {
    const markdown = renderMarkdown(buildReport(mixedChangeSet(), META), { fileUrl });
    assert.ok(markdown.includes('`/data/password`: `"*** (before)"` → `"*** (after)"`'));
    assert.ok(
      markdown.includes(
        '<a href="https://github.com/acme/infra/blob/3f2c1a9/deploy/web/api.yaml#L12"><code>deploy/web/api.yaml:12</code></a>',
      ),
    );
    assert.ok(markdown.includes('- `Deployment/jobs/batch`: annotation kube-drift.dev/reconcile: disabled'));
    assert.ok(markdown.includes('- `Deployment/jobs/worker` in `deploy/jobs/worker.yaml:4`: dry-run failed'));
    // Unchanged objects are counted, not listed.
    assert.ok(!markdown.includes('settings-1'));
  });

  it('fences a diff with more backticks than any run inside it', () => {
    const changeSet = mixedChangeSet();
    changeSet.entries[1].diff = '--- live\n+++ git\n@@ -1 +1 @@\n-a: "````"\n+a: "b"\n';
    const markdown = renderMarkdown(buildReport(changeSet, META));
    assert.ok(markdown.includes('`````diff\n--- live'));
    assert.equal(openFences(markdown), 0);
  });

  it('puts three-way sections in order: PR, both (called out), drift', () => {
    const markdown = renderMarkdown(buildReport(threeWayChangeSet(), THREE_WAY_META));
    const positions = [
      '### Changes in this PR',
      '### ⚠️ Both changed by this PR and drifted in the cluster',
      '### Drift already in the cluster (merging reverts it)',
      '### Objects to create or delete',
    ].map((heading) => markdown.indexOf(heading));
    assert.ok(
      positions.every((position) => position > 0),
      `all sections present: ${positions}`,
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
  });

  it('shows who changed a field and when, relative to the report time', () => {
    const markdown = renderMarkdown(buildReport(attributionChangeSet(), META));
    assert.ok(markdown.includes('(by kubectl-label, 12 min ago)'));
    assert.ok(markdown.includes('(by kube-controller-manager (controller), 2 h ago)'));
    assert.ok(markdown.includes('(by kubectl-edit, 3 days ago)'));
    assert.ok(markdown.includes('(no field manager owns it)'));
  });

  it('uses group headings only when there is more than one group', () => {
    const changeSet = mixedChangeSet();
    changeSet.entries[3].group = 'deploy/legacy';
    const mixed = renderMarkdown(buildReport(changeSet, META));
    assert.ok(mixed.includes('### deploy/web\n'));
    assert.ok(mixed.includes('### deploy/legacy\n'));
    assert.ok(mixed.indexOf('ConfigMap/web/old-banner') > mixed.indexOf('### deploy/legacy'));
    const single = renderMarkdown(buildReport(attributionChangeSet(), META));
    assert.ok(!single.includes('### Other objects'));
  });

  it('escapes names and notes so they cannot inject HTML or Markdown', () => {
    const changeSet = mixedChangeSet();
    changeSet.entries[3].ref.name = 'x<img src=y>';
    changeSet.entries[4].note = '<script>alert(1)</script> *bold* [link](http://x)';
    const markdown = renderMarkdown(buildReport(changeSet, META));
    assert.ok(!markdown.includes('<img'));
    assert.ok(!markdown.includes('<script>'));
    assert.ok(markdown.includes('\\<script\\>alert(1)\\</script\\> \\*bold\\* \\[link\\](http://x)'));
  });
});

describe('text', () => {
  it('marks each object like kubectl diff and hides unchanged objects unless verbose', () => {
    const report = buildReport(mixedChangeSet(), META);
    const lines = renderText(report).split('\n');
    assert.ok(lines.includes('+ ConfigMap/web/feature-flags (to create)  deploy/web/flags.yaml:1'));
    assert.ok(lines.includes('~ Deployment/web/api (configured)  deploy/web/api.yaml:12'));
    assert.ok(lines.includes('    /spec/replicas: 5 → 3'));
    assert.ok(
      lines.includes('- ConfigMap/web/old-banner (to delete: owned by production, no longer in Git)'),
    );
    assert.ok(lines.includes('= 3 unchanged (not listed)'));
    assert.ok(!lines.some((line) => line.startsWith('= ConfigMap')));
    const verbose = renderText(report, { verbose: true }).split('\n');
    assert.ok(verbose.includes('= ConfigMap/web/settings-1 (unchanged)  deploy/web/settings.yaml:1'));
  });

  it('colours only when asked', () => {
    const report = buildReport(mixedChangeSet(), META);
    assert.ok(!renderText(report).includes('\x1b['));
    const coloured = renderText(report, { color: true });
    assert.ok(coloured.includes('\x1b[32m+ ConfigMap/web/feature-flags\x1b[0m'));
    assert.ok(coloured.includes('\x1b[31m    -  replicas: 5\x1b[0m'));
  });

  it('shows control characters from the cluster as replacement characters', () => {
    const changeSet = mixedChangeSet();
    changeSet.entries[4].note = 'evil\x1b[2Jclear';
    assert.ok(renderText(buildReport(changeSet, META)).includes('evil\ufffd[2Jclear'));
  });
});
