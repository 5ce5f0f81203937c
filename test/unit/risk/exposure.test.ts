import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lines, obj, planned, review } from './support.ts';

const service = (type?: string) =>
  obj('Service', 'api', { spec: { ...(type ? { type } : {}), ports: [{ port: 443, protocol: 'TCP' }] } });
const ingress = (hosts: string[]) =>
  obj('Ingress', 'web', { spec: { rules: hosts.map((host) => ({ host })) } });
const route = (hostnames: string[]) => obj('HTTPRoute', 'web', { spec: { hostnames } });

describe('exposure', () => {
  const cases = [
    {
      name: 'a ClusterIP Service becomes LoadBalancer',
      desired: service('LoadBalancer'),
      live: service(),
      want: [
        'exposure warning Service/app/api: becomes LoadBalancer (from ClusterIP): reachable from outside the cluster on 443/TCP',
      ],
    },
    {
      name: 'a new NodePort Service',
      desired: service('NodePort'),
      live: null,
      want: [
        'exposure warning Service/app/api: becomes NodePort: reachable from outside the cluster on 443/TCP',
      ],
    },
    {
      name: 'a LoadBalancer that stays one',
      desired: service('LoadBalancer'),
      live: service('LoadBalancer'),
      want: [],
    },
    {
      name: 'an Ingress gains a host',
      desired: ingress(['a.example.com', 'b.example.com']),
      live: ingress(['a.example.com']),
      want: ['exposure warning Ingress/app/web: gains host b.example.com'],
    },
    {
      name: 'an Ingress loses a host',
      desired: ingress(['a.example.com']),
      live: ingress(['a.example.com', 'b.example.com']),
      want: [],
    },
    {
      name: 'an HTTPRoute gains hostnames',
      desired: route(['a.example.com', 'c.example.com', 'd.example.com']),
      live: route(['a.example.com']),
      want: ['exposure warning HTTPRoute/app/web: gains hosts c.example.com, d.example.com'],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const result = await review({ objects: [planned({ desired: c.desired, live: c.live })] });
      assert.deepEqual(lines(result, 'exposure'), c.want);
    });
});
