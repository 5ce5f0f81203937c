// How objects were verified (dry-run, in-sync proof, client-side): in the JSON report (valid
// against its schema) and on the context line of the text and Markdown reports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { renderJson } from '../../../src/report/json.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { buildReport } from '../../../src/report/model.ts';
import { renderText } from '../../../src/report/text.ts';
import { META, mixedChangeSet } from './fixtures.ts';

const schema = JSON.parse(
  readFileSync(new URL('../../../schema/report.schema.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

function verified(clientSide = 0, notVerifiable = 0) {
  return buildReport(
    { ...mixedChangeSet(), verification: { dryRun: 4, proof: 9, clientSide, notVerifiable } },
    META,
  );
}

describe('verification in the report', () => {
  it('JSON: the counts, valid against schema/report.schema.json; absent when the plan compared nothing', () => {
    const json = JSON.parse(renderJson(verified())) as Record<string, unknown>;
    assert.deepEqual(json.verification, { dryRun: 4, proof: 9, clientSide: 0, notVerifiable: 0 });
    assert.ok(validate(json), JSON.stringify(validate.errors, null, 2));
    assert.equal(
      validate({ ...json, verification: { dryRun: 4, proof: -1, clientSide: 0, notVerifiable: 0 } }),
      false,
    );
    assert.equal(JSON.parse(renderJson(buildReport(mixedChangeSet(), META))).verification, undefined);
  });

  it('text and Markdown: one part of the context line', () => {
    assert.match(renderText(verified()).split('\n')[0], / · verified 9 by proof, 4 by dry-run$/);
    assert.match(
      renderMarkdown(verified(2, 1)),
      / · verified 9 by proof, 4 by dry-run, 2 client-side, 1 not verifiable without a dry-run\n/,
    );
    assert.ok(!renderText(buildReport(mixedChangeSet(), META)).includes('verified'));
  });
});
