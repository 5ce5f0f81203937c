// Cluster reads for blast radius: lists cached per kind and namespace; a read that fails is a gap, never "nothing there".

import type { ResourceInfo } from '../kube/discovery.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { KubeObject, RiskGap, RiskRuleId } from '../model.ts';

/** The reads the review makes: kinds served, and lists of them. */
export interface RiskCluster {
  info(ref: { group: string; kind: string }): ResourceInfo | undefined;
  list(info: ResourceInfo, version: string, namespace: string | null): Promise<KubeObject[]>;
  /** Every kind served (a Namespace's contents are listed kind by kind). */
  kinds(): Iterable<ResourceInfo>;
}

export function riskClusterOf(cluster: Pick<ClusterObjects, 'info' | 'list' | 'discovery'>): RiskCluster {
  return {
    info: (ref) => cluster.info(ref),
    list: (info, version, namespace) => cluster.list(info, version, namespace),
    kinds: () => cluster.discovery.all(),
  };
}

type Answer = { items: KubeObject[] } | { error: string };

/** One rule's reads: what it could not read becomes one of the review's gaps. */
export interface RuleReads {
  /** Objects of a kind in a namespace (null: cluster-wide); undefined when they could not be read. */
  list(kind: { group: string; kind: string }, namespace: string | null): Promise<KubeObject[] | undefined>;
  /** The same for a kind the server may not list in discovery yet (a CRD's custom resources). */
  listInfo(info: ResourceInfo, namespace: string | null): Promise<KubeObject[] | undefined>;
  kinds(): ResourceInfo[];
}

export class RiskReader {
  private readonly answers = new Map<string, Promise<Answer>>();
  private readonly gapKeys = new Set<string>();
  /** With the place of the read in its rule's calls: reads are answered in any order. */
  private readonly found: { gap: RiskGap; call: number }[] = [];

  private readonly cluster: RiskCluster;

  constructor(cluster: RiskCluster) {
    this.cluster = cluster;
  }

  /** What the rules could not read: each rule's in the order it asked, whatever order the answers came in. */
  get gaps(): RiskGap[] {
    return [...this.found].sort((a, b) => a.call - b.call).map(({ gap }) => gap);
  }

  for(rule: RiskRuleId): RuleReads {
    let calls = 0;
    return {
      list: async (kind, namespace) => {
        const call = calls++;
        const info = this.cluster.info(kind);
        // A kind the server does not serve has no objects (Gateway API not installed).
        if (!info) return [];
        return this.listInfo(rule, info, namespace, call);
      },
      listInfo: (info, namespace) => this.listInfo(rule, info, namespace, calls++),
      kinds: () => [...this.cluster.kinds()],
    };
  }

  /**
   * Starts a read a rule will likely make, before the review begins (while the plan's dry-runs
   * are in flight). It only fills the cache: a read that fails becomes a gap only if a rule
   * asks for it.
   */
  prefetch(kind: { group: string; kind: string }, namespace: string | null): void {
    const info = this.cluster.info(kind);
    if (info) void this.answer(info, namespace);
  }

  private answer(info: ResourceInfo, namespace: string | null): Promise<Answer> {
    const version = info.versions[0];
    const key = `${info.group}|${info.resource}|${version}|${namespace ?? ''}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = this.cluster.list(info, version, namespace).then(
        (items) => ({ items }),
        (error: unknown) => ({ error: describe(error) }),
      );
      this.answers.set(key, answer);
    }
    return answer;
  }

  private async listInfo(
    rule: RiskRuleId,
    info: ResourceInfo,
    namespace: string | null,
    call: number,
  ): Promise<KubeObject[] | undefined> {
    const found = await this.answer(info, namespace);
    if ('items' in found) return found.items;
    const where = namespace ? ` in namespace ${namespace}` : ' cluster-wide';
    this.gap({ rule, reason: `could not list ${resourceName(info)}${where}: ${found.error}` }, call);
    return undefined;
  }

  private gap(gap: RiskGap, call: number): void {
    const key = `${gap.rule}|${gap.reason}`;
    if (this.gapKeys.has(key)) return;
    this.gapKeys.add(key);
    this.found.push({ gap, call });
  }
}

function resourceName(info: ResourceInfo): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

function describe(error: unknown): string {
  if (error instanceof KubeApiError) {
    if (error.status === 403) return 'forbidden (grant list on it to the credentials kube-drift uses)';
    return `${error.reason} (HTTP ${error.status})`;
  }
  return error instanceof Error ? error.message : String(error);
}
