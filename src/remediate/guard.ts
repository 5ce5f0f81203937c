// Remediation writes to the cluster; it runs only where the settings allow it, and never on a
// pull request, whose code anyone who can open one controls (DESIGN.md).

export interface RunEvent {
  /** GITHUB_EVENT_NAME: push, schedule, workflow_dispatch, pull_request, … */
  eventName: string;
  /** GITHUB_REF: refs/heads/main, refs/pull/7/merge, … */
  ref: string;
  /** The repository's default branch, when known. */
  defaultBranch?: string;
}

/** `main` → `refs/heads/main`; full refs are kept. */
export function normalizeRef(ref: string): string {
  const trimmed = ref.trim();
  return trimmed.startsWith('refs/') ? trimmed : `refs/heads/${trimmed}`;
}

/**
 * Why remediation must not run for `event`, or undefined when it may. Pull-request events are
 * refused whatever the settings say; otherwise the ref must be one of `allowedRefs` (short
 * branch names or full refs), by default the repository's default branch.
 */
export function remediationRefusal(event: RunEvent, allowedRefs: string[]): string | undefined {
  if (event.eventName.startsWith('pull_request')) {
    return `remediation is refused on ${event.eventName} events: a pull request must never write to the cluster. Run remediation on push to the default branch, on a schedule or by workflow_dispatch.`;
  }
  const allowed = (allowedRefs.length > 0 ? allowedRefs : event.defaultBranch ? [event.defaultBranch] : [])
    .filter((r) => r.trim() !== '')
    .map(normalizeRef);
  if (allowed.length === 0) {
    return `remediation is refused on ${event.ref || 'an unknown ref'}: the repository's default branch is not known and allowed-refs is empty. Set allowed-refs (e.g. main).`;
  }
  if (!allowed.includes(normalizeRef(event.ref))) {
    return `remediation is refused on ${event.ref || 'an unknown ref'}: allowed-refs is ${allowed.join(', ')}. Run it from an allowed ref, or add this ref to allowed-refs.`;
  }
  return undefined;
}
