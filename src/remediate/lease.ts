// One remediation per target at a time: a coordination.k8s.io Lease `kube-drift-<target>` in
// the inventory namespace. A second run waits for it (up to its timeout) and then stops with
// a message naming the holder. A holder that died stops renewing, and its lease expires.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { KubeDriftError } from '../errors.ts';
import { resourcePath } from '../kube/discovery.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { KubeObject } from '../model.ts';
import { sleep } from '../retry.ts';
import { ensureNamespace, inventoryName } from './inventory.ts';

export const LEASE_DURATION_SECONDS = 60;

export interface LeaseOptions {
  target: string;
  namespace: string;
  fieldManager: string;
  /** How long to wait for another run to finish. */
  waitSeconds: number;
  /** Who holds it: defaults to the GitHub run, or host and process. */
  identity?: string;
  onWarning(message: string): void;
  onWait(message: string): void;
  /** Polling interval while waiting, in ms. */
  pollMs?: number;
}

export interface HeldLease {
  name: string;
  identity: string;
  release(): Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
}

export function leaseName(target: string): string {
  return `kube-drift-${inventoryName(target).slice('kube-drift-inventory-'.length)}`
    .slice(0, 253)
    .replace(/[^a-z0-9]+$/, '');
}

/** Kubernetes MicroTime: RFC 3339 with six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Whether a lease held by someone else still stands at `now`. */
export function leaseHeldByOther(spec: LeaseSpec | undefined, identity: string, now: number): boolean {
  if (!spec?.holderIdentity || spec.holderIdentity === identity) return false;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  if (Number.isNaN(renewed)) return false;
  return renewed + (spec.leaseDurationSeconds ?? LEASE_DURATION_SECONDS) * 1000 > now;
}

function defaultIdentity(): string {
  const run = process.env.GITHUB_RUN_ID
    ? `${process.env.GITHUB_REPOSITORY ?? 'github'} run ${process.env.GITHUB_RUN_ID}`
    : hostname();
  return `${run} (pid ${process.pid}, ${randomBytes(3).toString('hex')})`;
}

/** Takes the target's lease, waiting for another holder; undefined (with a warning) where Leases cannot be used. */
export async function acquireLease(
  cluster: ClusterObjects,
  options: LeaseOptions,
): Promise<HeldLease | undefined> {
  const info = cluster.info({ group: 'coordination.k8s.io', kind: 'Lease' });
  if (!info) {
    options.onWarning(
      'the server does not serve coordination.k8s.io Leases; two remediation runs of this target could overlap',
    );
    return undefined;
  }
  const name = leaseName(options.target);
  const identity = options.identity ?? defaultIdentity();
  const path = resourcePath(info, 'v1', options.namespace, name);
  const subject = `Lease/${options.namespace}/${name}`;
  const deadline = Date.now() + options.waitSeconds * 1000;
  let waited = false;
  const fresh = (resourceVersion?: string) => leaseObject(name, options.namespace, identity, resourceVersion);

  for (;;) {
    try {
      const live = await cluster.get({
        group: 'coordination.k8s.io',
        version: 'v1',
        kind: 'Lease',
        namespace: options.namespace,
        name,
      });
      let held: KubeObject;
      if (!live) {
        held = await cluster.client.request<KubeObject>('POST', resourcePath(info, 'v1', options.namespace), {
          body: fresh(),
          operation: { verb: 'create', subject },
        });
      } else if (leaseHeldByOther(live.spec as LeaseSpec, identity, Date.now())) {
        const holder = (live.spec as LeaseSpec).holderIdentity;
        if (Date.now() >= deadline) {
          throw new KubeDriftError(
            `another remediation of target ${options.target} is running: ${subject} is held by ${holder}`,
            {
              hint: 'Wait for it to finish, or serialize runs with a workflow concurrency group; a holder that died releases the lease within a minute.',
            },
          );
        }
        if (!waited) options.onWait(`waiting for ${subject}, held by ${holder}`);
        waited = true;
        await sleep(options.pollMs ?? 2000);
        continue;
      } else {
        held = await cluster.client.request<KubeObject>('PUT', path, {
          body: fresh(live.metadata.resourceVersion),
          operation: { verb: 'update', subject },
        });
      }
      return holding(cluster, path, subject, name, identity, held, options);
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.status === 409) continue; // another run got there first: look again
      if (error.status === 404) {
        await ensureNamespace(cluster, options.namespace, options.fieldManager);
        continue;
      }
      if (error.status === 403) {
        options.onWarning(
          `cannot take ${subject} (${error.message}); two remediation runs of this target could overlap. Grant get/create/update/delete on leases in ${options.namespace}.`,
        );
        return undefined;
      }
      throw error;
    }
  }
}

/** The Lease as this run holds it, from now; with the resourceVersion it replaces, if any. */
function leaseObject(
  name: string,
  namespace: string,
  identity: string,
  resourceVersion?: string,
): KubeObject {
  const now = microTime(new Date());
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      acquireTime: now,
      renewTime: now,
    },
  };
}

function holding(
  cluster: ClusterObjects,
  path: string,
  subject: string,
  name: string,
  identity: string,
  held: KubeObject,
  options: LeaseOptions,
): HeldLease {
  let current = held;
  const renew = async () => {
    try {
      const spec = { ...(current.spec as LeaseSpec), renewTime: microTime(new Date()) };
      current = await cluster.client.request<KubeObject>('PUT', path, {
        body: { ...current, spec },
        operation: { verb: 'renew', subject },
      });
    } catch (error) {
      options.onWarning(
        `renewing ${subject} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  const timer = setInterval(() => void renew(), (LEASE_DURATION_SECONDS / 3) * 1000);
  timer.unref();
  return {
    name,
    identity,
    release: async () => {
      clearInterval(timer);
      try {
        await cluster.client.request('DELETE', path, {
          body: {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            preconditions: { uid: current.metadata.uid, resourceVersion: current.metadata.resourceVersion },
          },
          operation: { verb: 'release', subject },
        });
      } catch (error) {
        // Someone else holds it now, or it is gone: either way it is not ours to delete.
        if (!(error instanceof KubeApiError && (error.status === 409 || error.status === 404))) {
          options.onWarning(
            `releasing ${subject} failed: ${error instanceof Error ? error.message : String(error)}; it expires in ${LEASE_DURATION_SECONDS}s`,
          );
        }
      }
    },
  };
}
