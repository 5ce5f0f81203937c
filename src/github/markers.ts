// Hidden HTML comments that let later runs find what earlier runs wrote (the sticky PR
// comment, the drift issue) and read the state they left.
//
// Where the previous drift state is kept, for notifications that fire only on a change:
// - pull-request runs: in the sticky comment of the target (`<!-- kube-drift:state=... -->`);
// - other runs: in the most recent drift issue of the target, open or closed (an open issue
//   means drifted; closing it records in-sync). Without a drift issue (the `issue` setting
//   off) a non-PR run has nowhere to keep state: it then notifies on every drifted run.

export type DriftState = 'drifted' | 'in-sync';

function escapeMarkerValue(value: string): string {
  // `--` may not appear inside an HTML comment.
  return encodeURIComponent(value).replace(/-/g, '%2D');
}

export function targetMarker(target: string): string {
  return `<!-- kube-drift:target=${escapeMarkerValue(target)} -->`;
}

export function stateMarker(state: DriftState): string {
  return `<!-- kube-drift:state=${state} -->`;
}

/** A digest of what a report says, without the time it was made, so an unchanged report is not re-sent. */
export function digestMarker(digest: string): string {
  return `<!-- kube-drift:digest=${digest} -->`;
}

export function hasTargetMarker(body: string | null | undefined, target: string): boolean {
  return (body ?? '').includes(targetMarker(target));
}

export function readState(body: string | null | undefined): DriftState | undefined {
  const match = /<!-- kube-drift:state=(drifted|in-sync) -->/.exec(body ?? '');
  return match ? (match[1] as DriftState) : undefined;
}

export function readDigest(body: string | null | undefined): string | undefined {
  return /<!-- kube-drift:digest=([0-9a-f]+) -->/.exec(body ?? '')?.[1];
}
