// The drift history's hidden marker and chart: what a body holds is read back exactly, anything
// malformed (or made to close the HTML comment early) is dropped, and a target name cannot
// break the Mermaid chart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftChart, historyMarker, readHistory, withPoint } from '../../../src/github/drift-history.ts';

describe('drift history', () => {
  it('reads back what it wrote, oldest first', () => {
    const history = [
      { at: '2026-12-01T00:00:00Z', drifted: 2 },
      { at: '2026-12-01T06:00:00.123Z', drifted: 0 },
      { at: '2026-12-01T12:00:00+01:00', drifted: 5 },
    ];
    assert.deepEqual(readHistory(`report\n${historyMarker(history)}\nmore`), history);
    assert.deepEqual(readHistory(undefined), []);
    assert.deepEqual(readHistory('no marker here'), []);
  });

  it('drops malformed entries and never writes one that could end the comment', () => {
    const body =
      '<!-- kube-drift:history=2026-12-01T00:00:00Z|3,yesterday|4,2026-12-02T00:00:00Z|-1,2026-12-03T00:00:00Z|7 -->';
    assert.deepEqual(readHistory(body), [
      { at: '2026-12-01T00:00:00Z', drifted: 3 },
      { at: '2026-12-03T00:00:00Z', drifted: 7 },
    ]);
    const marker = historyMarker([
      { at: '2026-12-01T00:00:00Z --> <img src=x>', drifted: 1 },
      { at: '2026-12-01T00:00:00Z', drifted: 1 },
    ]);
    assert.equal(marker, '<!-- kube-drift:history=2026-12-01T00:00:00Z|1 -->');
  });

  it('keeps the last 30 points', () => {
    let history: { at: string; drifted: number }[] = [];
    for (let i = 0; i < 35; i++) history = withPoint(history, { at: '2026-12-01T00:00:00Z', drifted: i });
    assert.equal(history.length, 30);
    assert.equal(history[0].drifted, 5);
    assert.equal(history[29].drifted, 34);
  });

  it('draws an xychart whose title a target name cannot break', () => {
    const chart = driftChart('prod "eu"\nx', [{ at: '2026-12-01T10:52:38Z', drifted: 0 }]);
    assert.equal(
      chart,
      [
        '```mermaid',
        'xychart-beta',
        `    title "Drifted objects per run: prod 'eu' x"`,
        '    x-axis ["12-01 10:52"]',
        '    y-axis "Drifted objects" 0 --> 1',
        '    bar [0]',
        '    line [0]',
        '```',
      ].join('\n'),
    );
  });
});
