import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ChangeSet } from '../../../src/model.ts';
import { buildAnnotations } from '../../../src/report/annotations.ts';
import { renderJson } from '../../../src/report/json.ts';
import { buildReport } from '../../../src/report/model.ts';
import {
  attributionChangeSet,
  inSyncChangeSet,
  largeDriftChangeSet,
  META,
  mixedChangeSet,
  THREE_WAY_META,
  threeWayChangeSet,
} from './fixtures.ts';

const schema = JSON.parse(
  readFileSync(new URL('../../../schema/report.schema.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const CHANGE_SETS: Array<[string, () => ChangeSet]> = [
  ['in sync', inSyncChangeSet],
  ['mixed', mixedChangeSet],
  ['three-way', threeWayChangeSet],
  ['attribution', attributionChangeSet],
  ['large', () => largeDriftChangeSet(5)],
];

describe('JSON report', () => {
  for (const [name, changeSet] of CHANGE_SETS) {
    it(`${name}: valid against schema/report.schema.json`, () => {
      const json = JSON.parse(renderJson(buildReport(changeSet(), META)));
      assert.ok(validate(json), JSON.stringify(validate.errors, null, 2));
    });
  }

  it('says what the cluster was compared with: live, or three-way with the base commit', () => {
    const live = JSON.parse(renderJson(buildReport(mixedChangeSet(), META)));
    assert.deepEqual(live.comparison, { kind: 'live' });
    const threeWay = JSON.parse(renderJson(buildReport(threeWayChangeSet(), THREE_WAY_META)));
    assert.deepEqual(threeWay.comparison, THREE_WAY_META.comparison);
    assert.ok(validate({ ...threeWay }), JSON.stringify(validate.errors, null, 2));
    assert.equal(
      validate({ ...threeWay, comparison: { kind: 'three-way' } }),
      false,
      'three-way without base',
    );
    assert.equal(validate({ ...live, comparison: { kind: 'live', base: 'abc' } }), false, 'live with a base');
    const { comparison: _comparison, ...without } = live;
    assert.equal(validate(without), false, 'comparison is required');
  });

  it('with notes on the run: valid against schema/report.schema.json', () => {
    const json = JSON.parse(
      renderJson(buildReport({ ...mixedChangeSet(), notes: ['an inventory was claimed'] }, META)),
    );
    assert.deepEqual(json.notes, ['an inventory was claimed']);
    assert.ok(validate(json), JSON.stringify(validate.errors, null, 2));
  });

  it('rejects what the schema forbids (an unknown field, a bad action)', () => {
    const json = JSON.parse(renderJson(buildReport(mixedChangeSet(), META)));
    assert.equal(validate({ ...json, extra: 1 }), false);
    json.entries[0].action = 'drifted';
    assert.equal(validate(json), false);
  });

  it('has the documented fields, stable key order, 2-space indent and a trailing newline', () => {
    const report = buildReport(mixedChangeSet(), { ...META, links: { fileUrl: () => 'x' } });
    const text = renderJson(report);
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.startsWith('{\n  "schemaVersion": "1",\n  "target": "production",'));
    const json = JSON.parse(text);
    assert.deepEqual(Object.keys(json), [
      'schemaVersion',
      'target',
      'mode',
      'generatedAt',
      'kubeDriftVersion',
      'cluster',
      'revision',
      'comparison',
      'summary',
      'driftDetected',
      'entries',
      'errors',
      'risks',
    ]);
    assert.deepEqual(json.summary, {
      created: 1,
      configured: 2,
      unchanged: 3,
      deleted: 1,
      skipped: 1,
      errors: 2,
    });
    assert.equal(json.driftDetected, true);
    assert.ok(!('links' in json));
    const api = json.entries[1];
    assert.deepEqual(
      {
        apiVersion: api.apiVersion,
        kind: api.kind,
        namespace: api.namespace,
        name: api.name,
        source: api.source,
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'web',
        name: 'api',
        source: { file: 'deploy/web/api.yaml', line: 12 },
      },
    );
    assert.deepEqual(api.changes[0], { path: '/metadata/labels/hotfix', before: 'true' });
    assert.deepEqual(json.errors[0].object, 'Deployment/jobs/worker');
    // The same report renders to the same bytes, whatever order the value keys came in.
    const reordered = mixedChangeSet();
    reordered.entries[1].changes[3].before = [{ value: 'debug', name: 'LOG_LEVEL' }];
    assert.equal(renderJson(buildReport(reordered, META)), renderJson(buildReport(mixedChangeSet(), META)));
  });

  it('reports no drift for an in-sync change set', () => {
    const json = JSON.parse(renderJson(buildReport(inSyncChangeSet(), META)));
    assert.equal(json.driftDetected, false);
    assert.equal(json.summary.unchanged, 12);
  });
});

describe('annotations', () => {
  it('one per drifted object with a manifest, one per error with a file', () => {
    const annotations = buildAnnotations(buildReport(mixedChangeSet(), META));
    assert.deepEqual(
      annotations.map((a) => [a.path, a.start_line, a.end_line, a.annotation_level, a.title]),
      [
        ['deploy/web/flags.yaml', 1, 1, 'warning', 'Drift: ConfigMap/web/feature-flags'],
        ['deploy/web/api.yaml', 12, 12, 'warning', 'Drift: Deployment/web/api'],
        ['deploy/web/secret.yaml', 1, 1, 'warning', 'Drift: Secret/web/api-credentials'],
        ['deploy/jobs/worker.yaml', 4, 4, 'failure', 'Error: Deployment/jobs/worker'],
      ],
    );
    assert.equal(
      annotations[1].message,
      [
        'Deployment/web/api differs from Git in 4 fields:',
        '/metadata/labels/hotfix: "true" → (removed)',
        '/spec/replicas: 5 → 3',
        '/spec/template/spec/containers/0/image: "ghcr.io/acme/api:1.4.0" → "ghcr.io/acme/api:1.5.0"',
        '/spec/template/spec/containers/0/env: [{"name":"LOG_LEVEL","value":"debug"}] → (removed)',
      ].join('\n'),
    );
    assert.ok(annotations[2].message.includes('"*** (before)" → "*** (after)"'));
  });

  it("keeps within GitHub's limits: title ≤ 255 characters, message ≤ 64 KB", () => {
    const changeSet = mixedChangeSet();
    changeSet.entries[1].ref.name = 'n'.repeat(400);
    changeSet.entries[1].changes = Array.from({ length: 3000 }, (_, index) => ({
      path: `/data/key-${index}`,
      before: 'x'.repeat(40),
      after: 'y'.repeat(40),
    }));
    const [, big] = buildAnnotations(buildReport(changeSet, META));
    assert.ok(Array.from(big.title).length <= 255);
    assert.ok(big.title.endsWith('…'));
    assert.ok(Buffer.byteLength(big.message) < 64 * 1024);
    assert.ok(big.message.endsWith('… (cut to fit the annotation size limit)'));
  });
});
