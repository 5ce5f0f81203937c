import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { buildReport } from '../../../src/report/model.ts';
import { renderText } from '../../../src/report/text.ts';
import { configMap, entry, inSyncChangeSet, META } from './fixtures.ts';

const NOTE =
  'fields set by ci-script that Git does not set are not compared; add it to takeover-managers to take them over';

/** In sync, but one object has fields nobody compared: the report must say so. */
function noted() {
  const changeSet = inSyncChangeSet();
  const cm = configMap('from-ci', 'shop', { mode: 'fast' });
  changeSet.entries.push(entry('unchanged', cm, cm, { note: NOTE }));
  return buildReport(changeSet, META);
}

describe('unchanged objects with a note', () => {
  it('are listed in the text report, the others still counted as not listed', () => {
    const text = renderText(noted());
    assert.match(
      text,
      new RegExp(`= ConfigMap/shop/from-ci \\(unchanged: ${NOTE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`),
    );
    assert.match(text, /= 12 unchanged \(not listed\)/);
  });

  it('are listed in the Markdown report under their own heading', () => {
    const markdown = renderMarkdown(noted());
    assert.ok(
      markdown.includes(`### In sync, with a note (1)\n\n- \`ConfigMap/shop/from-ci\`: ${NOTE}\n`),
      markdown,
    );
    assert.ok(!renderMarkdown(buildReport(inSyncChangeSet(), META)).includes('with a note'));
  });
});
