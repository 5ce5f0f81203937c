// Drift over time: drifted objects per run for a target's last 30 runs, kept in a hidden marker of
// its drift issue (handed on from a closed issue to the next), drawn as a Mermaid xychart.
import type { Report } from '../report/model.ts';

/** One run on the chart: when its report was made and how many objects had drifted. */
export interface HistoryPoint {
  at: string;
  drifted: number;
}

/** How many runs the chart shows and the issue keeps. */
export const HISTORY_RUNS = 30;

const POINT = /^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))\|(\d+)$/;

/** Objects the run found drifted: what applying Git would create, change or delete. */
export function driftedCount(report: Report): number {
  const { created, configured, deleted } = report.summary;
  return created + configured + deleted;
}

/** The history an issue body holds, oldest first; malformed entries are dropped. */
export function readHistory(body: string | null | undefined): HistoryPoint[] {
  const text = /<!-- kube-drift:history=([^ ]*) -->/.exec(body ?? '')?.[1];
  if (!text) return [];
  return text.split(',').flatMap((entry) => {
    const match = POINT.exec(entry);
    return match ? [{ at: match[1], drifted: Number(match[2]) }] : [];
  });
}

/** `history` with this run's point added, the oldest dropped past HISTORY_RUNS. */
export function withPoint(history: HistoryPoint[], point: HistoryPoint): HistoryPoint[] {
  return [...history, point].slice(-HISTORY_RUNS);
}

/** ISO times and counts only, so the marker can never close its HTML comment early. */
export function historyMarker(history: HistoryPoint[]): string {
  const entries = history.filter((p) => POINT.test(`${p.at}|${p.drifted}`));
  return `<!-- kube-drift:history=${entries.map((p) => `${p.at}|${p.drifted}`).join(',')} -->`;
}

/** `12-02 10:52` (UTC): short enough for thirty labels on one axis. */
function label(at: string): string {
  const time = new Date(at);
  if (Number.isNaN(time.getTime())) return '?';
  return time.toISOString().slice(5, 16).replace('T', ' ');
}

/** A Mermaid xychart (GitHub renders it) of drifted objects per run. */
export function driftChart(target: string, history: HistoryPoint[]): string {
  const counts = history.map((p) => p.drifted);
  const top = Math.max(1, ...counts);
  const title = `Drifted objects per run: ${target}`.replace(/"/g, "'").replace(/[\r\n]+/g, ' ');
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${title}"`,
    `    x-axis [${history.map((p) => `"${label(p.at)}"`).join(', ')}]`,
    `    y-axis "Drifted objects" 0 --> ${top}`,
    `    bar [${counts.join(', ')}]`,
    `    line [${counts.join(', ')}]`,
    '```',
  ].join('\n');
}

/** The section a drift issue and the job summary end with: the chart, the runs it covers, the hidden history. */
export function historySection(target: string, history: HistoryPoint[]): string {
  const runs = `${history.length} run${history.length === 1 ? '' : 's'}`;
  return [
    '',
    '',
    `### Drift over time`,
    '',
    driftChart(target, history),
    '',
    `_Drifted objects in the last ${runs} of \`${target}\` (at most ${HISTORY_RUNS}), oldest first._`,
    historyMarker(history),
    '',
  ].join('\n');
}
