// Health waits: after applying, poll what was applied until it is healthy, has failed, or the
// timeout passes; and before recreating, wait until the deleted object is really gone.

import { forEachLimited } from '../concurrency.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import { type ObjectRef, subjectOf } from '../model.ts';
import { sleep } from '../retry.ts';
import { assessHealth } from './health.ts';
import { describe, type RemediateHooks, type UnhealthyObject } from './options.ts';

/** Polls each applied object at most once a second until healthy, failed, or the timeout. */
export async function waitHealthy(
  applied: readonly ObjectRef[],
  cluster: ClusterObjects,
  options: { timeoutSeconds: number; concurrency: number },
  hooks: RemediateHooks,
): Promise<UnhealthyObject[]> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const unhealthy: UnhealthyObject[] = [];
  let pending = applied.map((ref) => ({ ref, reason: 'not checked yet' }));
  hooks.info(`waiting up to ${options.timeoutSeconds}s for ${pending.length} objects to become healthy`);
  for (;;) {
    const started = Date.now();
    const next: typeof pending = [];
    await forEachLimited(pending, Math.max(1, options.concurrency), async (item) => {
      try {
        const health = assessHealth(await cluster.get(item.ref));
        if (health.state === 'failed')
          unhealthy.push({ subject: subjectOf(item.ref), reason: health.reason });
        else if (health.state === 'progressing') next.push({ ref: item.ref, reason: health.reason });
      } catch (error) {
        next.push({ ref: item.ref, reason: `could not be read: ${describe(error)}` });
      }
    });
    pending = next;
    if (pending.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(Math.max(0, 1000 - (Date.now() - started)), Math.max(0, deadline - Date.now())));
  }
  for (const item of pending) {
    unhealthy.push({
      subject: subjectOf(item.ref),
      reason: `not healthy after ${options.timeoutSeconds}s: ${item.reason}`,
    });
  }
  return unhealthy.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

/** Waits until a deleted object is gone (its finalizers done), so it can be created again. */
export async function waitGone(
  cluster: ClusterObjects,
  ref: ObjectRef,
  timeoutSeconds: number,
): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while ((await cluster.get(ref)) !== null) {
    if (Date.now() >= deadline)
      throw new Error(
        `${subjectOf(ref)} was still being deleted after ${timeoutSeconds}s; it was not recreated`,
      );
    await sleep(500);
  }
}
