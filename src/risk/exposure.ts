// exposure: a Service becomes LoadBalancer or NodePort; an Ingress or a Gateway API route gains a host.

import { isPlainObject } from '../drift/jsondiff.ts';
import type { KubeObject } from '../model.ts';
import { draftFor, type RiskContext, type RiskDraft } from './context.ts';

const EXTERNAL_TYPES = ['LoadBalancer', 'NodePort'];
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute'];

export function checkExposure(context: RiskContext): RiskDraft[] {
  const drafts: RiskDraft[] = [];
  for (const view of context.objects) {
    if (view.entry.action === 'unchanged' || view.entry.action === 'skipped') continue;
    const { group, kind } = view.ref;
    if (group === '' && kind === 'Service') {
      const type = specOf(view.desired).type;
      const before = view.live ? (specOf(view.live).type ?? 'ClusterIP') : undefined;
      if (typeof type === 'string' && EXTERNAL_TYPES.includes(type) && before !== type) {
        const from = before ? ` (from ${before})` : '';
        drafts.push(
          draftFor(
            context,
            view,
            `becomes ${type}${from}: reachable from outside the cluster${ports(view.desired)}`,
            ['/spec/type'],
          ),
        );
      }
      continue;
    }
    const hosts =
      group === 'networking.k8s.io' && kind === 'Ingress'
        ? ingressHosts
        : group === 'gateway.networking.k8s.io' && ROUTE_KINDS.includes(kind)
          ? routeHosts
          : undefined;
    if (!hosts) continue;
    const had = new Set(view.live ? hosts(view.live) : []);
    const gained = [...new Set(hosts(view.desired))].filter((h) => !had.has(h));
    if (gained.length > 0)
      drafts.push(
        draftFor(context, view, `gains ${gained.length === 1 ? 'host' : 'hosts'} ${gained.join(', ')}`, [
          '/spec/rules',
          '/spec/tls',
          '/spec/hostnames',
        ]),
      );
  }
  return drafts;
}

function specOf(object: KubeObject): Record<string, unknown> {
  return isPlainObject(object.spec) ? object.spec : {};
}

function ports(service: KubeObject): string {
  const list = Array.isArray(specOf(service).ports) ? (specOf(service).ports as unknown[]) : [];
  const named = list
    .filter(isPlainObject)
    .map((p) => `${String(p.port)}/${typeof p.protocol === 'string' ? p.protocol : 'TCP'}`);
  return named.length > 0 ? ` on ${named.join(', ')}` : '';
}

function ingressHosts(ingress: KubeObject): string[] {
  const spec = specOf(ingress);
  const rules = (Array.isArray(spec.rules) ? spec.rules : []).filter(isPlainObject).map((r) => r.host);
  const tls = (Array.isArray(spec.tls) ? spec.tls : [])
    .filter(isPlainObject)
    .flatMap((t) => (Array.isArray(t.hosts) ? t.hosts : []));
  return [...rules, ...tls].filter((h): h is string => typeof h === 'string' && h !== '');
}

function routeHosts(route: KubeObject): string[] {
  const names = specOf(route).hostnames;
  return Array.isArray(names) ? names.filter((h): h is string => typeof h === 'string') : [];
}
