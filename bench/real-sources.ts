// The real-repository mix: public projects' manifests and charts fetched from the Go module
// proxy (module zips, cached under ~/.cache/kube-drift/bench-real) and laid out as one repository.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './cluster.ts';

const PROXY = process.env.GOPROXY_URL ?? 'https://proxy.golang.org';
export const CACHE = join(homedir(), '.cache', 'kube-drift', 'bench-real');

interface Module {
  path: string;
  version: string;
}

export interface Source {
  /** Directory name in the bench repository and suffix of its namespace. */
  name: string;
  module: Module;
  /** Directory inside the module. */
  dir: string;
  kind: 'kustomize' | 'helm';
  /** Applied as users do: kubectl apply --server-side, helm install, or helm template piped to kubectl apply (Argo CD's way). */
  applyWith: 'kubectl' | 'helm-install' | 'helm-template';
}

const ARGO = { path: 'github.com/argoproj/argo-cd/v3', version: 'v3.6.1' };
const PROM = { path: 'github.com/prometheus-operator/prometheus-operator', version: 'v0.85.0' };
const PODINFO = { path: 'github.com/stefanprodan/podinfo', version: 'v1.8.1-0.20250910200901-e86405a8674e' };
const CERT_MANAGER = { path: 'github.com/cert-manager/cert-manager', version: 'v1.21.2' };
const KEDA = { path: 'github.com/kedacore/keda/v2', version: 'v2.21.0' };

// Nothing here registers an APIService or a webhook on core kinds: the control plane is shared,
// and an unavailable aggregated API breaks discovery for everyone (metrics-server, KEDA's
// metrics adapter and ingress-nginx's Ingress webhook are left out for that reason).
export const SOURCES: Source[] = [
  { name: 'argocd', module: ARGO, dir: 'manifests/cluster-install', kind: 'kustomize', applyWith: 'kubectl' },
  {
    name: 'argocd-ha',
    module: ARGO,
    dir: 'manifests/ha/namespace-install',
    kind: 'kustomize',
    applyWith: 'kubectl',
  },
  { name: 'prom-operator', module: PROM, dir: '.', kind: 'kustomize', applyWith: 'kubectl' },
  { name: 'podinfo', module: PODINFO, dir: 'kustomize', kind: 'kustomize', applyWith: 'kubectl' },
  { name: 'keda-crds', module: KEDA, dir: 'config/crd', kind: 'kustomize', applyWith: 'kubectl' },
  { name: 'podinfo-chart', module: PODINFO, dir: 'charts/podinfo', kind: 'helm', applyWith: 'helm-install' },
  {
    name: 'cert-manager-chart',
    module: CERT_MANAGER,
    dir: 'deploy/charts/cert-manager',
    kind: 'helm',
    applyWith: 'helm-template',
  },
];

/** Values every chart path gets (kube-drift takes one set for all chart paths). */
export const HELM_SET = ['crds.enabled=true', 'startupapicheck.enabled=false'];

/** The module proxy's case encoding: an upper-case letter becomes "!" and its lower case. */
function escapePath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** Downloads and unpacks a module once; returns the directory holding its files. */
async function unpacked(module: Module): Promise<string> {
  const dir = join(CACHE, `${escapePath(module.path).replaceAll('/', '_')}@${module.version}`);
  const root = join(dir, module.path + '@' + module.version);
  if (existsSync(join(dir, '.complete'))) return root;
  mkdirSync(dir, { recursive: true });
  const url = `${PROXY}/${escapePath(module.path)}/@v/${module.version}.zip`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching ${url}: HTTP ${response.status}`);
  const zip = join(dir, 'module.zip');
  writeFileSync(zip, Buffer.from(await response.arrayBuffer()));
  const r = await run('unzip', ['-q', '-o', zip, '-d', dir]);
  if (r.code !== 0) throw new Error(`unzip ${zip} failed: ${r.stderr}`);
  writeFileSync(join(dir, '.complete'), url);
  return root;
}

export interface RealRepository {
  root: string;
  /** Paths relative to root, one per source, in SOURCES order. */
  paths: string[];
  namespaceOf: (source: Source) => string;
}

/**
 * Copies each source into root/vendor and gives each Kustomize source a wrapper that sets its
 * own namespace (so nothing lands in the shared cluster's default or argocd namespaces).
 * Charts share one namespace and release name: kube-drift renders every chart path with one.
 */
export async function writeRealRepository(root: string, prefix: string): Promise<RealRepository> {
  const namespaceOf = (s: Source) => (s.kind === 'helm' ? `${prefix}-charts` : `${prefix}-${s.name}`);
  const paths: string[] = [];
  const copied = new Set<string>();
  for (const source of SOURCES) {
    const moduleRoot = await unpacked(source.module);
    const vendor = join('vendor', source.module.path.split('/').slice(-2).join('-'));
    if (!copied.has(vendor)) {
      cpSync(moduleRoot, join(root, vendor), {
        recursive: true,
        // Only manifests and charts: skip Go sources, docs and UI assets.
        filter: (src) =>
          !/\.(go|md|png|svg|ts|tsx|js|scss|html|json)$/.test(src) || src.endsWith('.schema.json'),
      });
      copied.add(vendor);
    }
    if (source.kind === 'helm') {
      paths.push(join(vendor, source.dir));
      continue;
    }
    const wrapper = join('apps', source.name);
    mkdirSync(join(root, wrapper), { recursive: true });
    writeFileSync(
      join(root, wrapper, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${namespaceOf(source)}\nresources:\n  - ../../${join(vendor, source.dir)}\n`,
    );
    paths.push(wrapper);
  }
  return { root, paths, namespaceOf };
}
