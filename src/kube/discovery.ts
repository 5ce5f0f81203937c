// What the server serves: kind → resource, scope and versions. Read once per run with
// aggregated discovery (two requests for the whole cluster), falling back to the legacy
// per-group-version documents on servers that lack it.
import type { KubeClient } from './client.ts';

export interface ResourceInfo {
  group: string;
  kind: string;
  /** Plural resource name, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  /** Versions serving this kind, the server's preferred first. */
  versions: string[];
  verbs: string[];
}

const AGGREGATED =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface AggregatedList {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: {
        resource: string;
        responseKind?: { kind?: string };
        scope?: string;
        verbs?: string[];
        subresources?: { responseKind?: { kind?: string } }[];
      }[];
    }[];
  }[];
}

export class Discovery {
  private readonly byGroupKind = new Map<string, ResourceInfo>();
  /** `group/version/Kind` of subresources (Scale, Eviction …): only Helm's capabilities list them. */
  private readonly subresources = new Set<string>();

  static async load(client: KubeClient): Promise<Discovery> {
    const discovery = new Discovery();
    const operation = (path: string) => ({ verb: 'discover', subject: path });
    const [core, groups] = await Promise.all([
      client.request<AggregatedList>('GET', '/api', { accept: AGGREGATED, operation: operation('/api') }),
      client.request<AggregatedList>('GET', '/apis', { accept: AGGREGATED, operation: operation('/apis') }),
    ]);
    if (core?.kind === 'APIGroupDiscoveryList' && groups?.kind === 'APIGroupDiscoveryList') {
      for (const list of [core, groups]) discovery.addAggregated(list);
    } else {
      await discovery.loadLegacy(client, groups as unknown as LegacyGroupList);
    }
    return discovery;
  }

  /** For tests and for custom resources whose CRD is in the same change. */
  add(info: ResourceInfo): void {
    const key = `${info.group}|${info.kind}`;
    const existing = this.byGroupKind.get(key);
    if (existing) {
      for (const version of info.versions)
        if (!existing.versions.includes(version)) existing.versions.push(version);
    } else {
      this.byGroupKind.set(key, { ...info, versions: [...info.versions] });
    }
  }

  /** Every kind served, in no particular order. */
  all(): IterableIterator<ResourceInfo> {
    return this.byGroupKind.values();
  }

  /** `group/version/Kind` (`v1/Kind` for the core group) of every subresource's kind. */
  subresourceKinds(): IterableIterator<string> {
    return this.subresources.values();
  }

  private addSubresource(group: string, version: string, kind: string | undefined): void {
    if (kind) this.subresources.add(`${group ? `${group}/` : ''}${version}/${kind}`);
  }

  find(group: string, kind: string): ResourceInfo | undefined {
    return this.byGroupKind.get(`${group}|${kind}`);
  }

  private addAggregated(list: AggregatedList): void {
    for (const item of list.items ?? []) {
      const group = item.metadata?.name ?? '';
      for (const version of item.versions ?? []) {
        for (const resource of version.resources ?? []) {
          for (const sub of resource.subresources ?? [])
            this.addSubresource(group, version.version, sub.responseKind?.kind);
          const kind = resource.responseKind?.kind;
          if (!kind) continue;
          this.add({
            group,
            kind,
            resource: resource.resource,
            namespaced: resource.scope === 'Namespaced',
            versions: [version.version],
            verbs: resource.verbs ?? [],
          });
        }
      }
    }
  }

  private async loadLegacy(client: KubeClient, groups: LegacyGroupList): Promise<void> {
    const groupVersions: { group: string; path: string; version: string }[] = [
      { group: '', path: '/api/v1', version: 'v1' },
    ];
    for (const group of groups.groups ?? []) {
      const preferred = group.preferredVersion?.version;
      const versions = [...(group.versions ?? [])].sort((a, b) =>
        a.version === preferred ? -1 : b.version === preferred ? 1 : 0,
      );
      for (const v of versions)
        groupVersions.push({ group: group.name, path: `/apis/${v.groupVersion}`, version: v.version });
    }
    const lists = await Promise.all(
      groupVersions.map((gv) =>
        client
          .request<LegacyResourceList>('GET', gv.path, { operation: { verb: 'discover', subject: gv.path } })
          .catch(() => undefined),
      ),
    );
    lists.forEach((list, i) => {
      const gv = groupVersions[i];
      for (const resource of list?.resources ?? []) {
        if (resource.name.includes('/')) {
          this.addSubresource(gv.group, gv.version, resource.kind);
          continue;
        }
        this.add({
          group: gv.group,
          kind: resource.kind,
          resource: resource.name,
          namespaced: resource.namespaced,
          versions: [gv.version],
          verbs: resource.verbs ?? [],
        });
      }
    });
  }
}

interface LegacyGroupList {
  groups?: {
    name: string;
    preferredVersion?: { version: string };
    versions?: { groupVersion: string; version: string }[];
  }[];
}

interface LegacyResourceList {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/** The URL path of a collection or of one object. */
export function resourcePath(
  info: ResourceInfo,
  version: string,
  namespace: string | null,
  name?: string,
): string {
  const base = info.group === '' ? `/api/${version}` : `/apis/${info.group}/${version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${info.resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}
