// The real-repository mix: public projects' manifests and charts fetched from the Go module
// proxy (module zips, cached under ~/.cache/kube-drift/bench-real) and laid out as one repository.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './cluster.ts';

const PROXY = process.env.GOPROXY_URL ?? 'https://proxy.golang.org';
export const CACHE = join(homedir(), '.cache', 'kube-drift', 'bench-real');

export interface Module {
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
  /**
   * Applied as users do: kubectl apply --server-side, or helm install. Helm keeps a release
   * record per name and namespace in its storage driver, so the second chart (same release
   * name and namespace, as kube-drift renders every chart path with one) keeps its record in
   * ConfigMaps (HELM_DRIVER=configmap) instead of Secrets.
   */
  applyWith: 'kubectl' | 'helm-install' | 'helm-install-configmap';
  /** Removes objects that would disturb the shared control plane (see below). */
  drop?: string;
}

const ARGO = { path: 'github.com/argoproj/argo-cd/v3', version: 'v3.6.1' };
const PROM = { path: 'github.com/prometheus-operator/prometheus-operator', version: 'v0.85.0' };
const PODINFO = { path: 'github.com/stefanprodan/podinfo', version: 'v1.8.1-0.20250910200901-e86405a8674e' };
const CERT_MANAGER = { path: 'github.com/cert-manager/cert-manager', version: 'v1.21.2' };
const KEDA = { path: 'github.com/kedacore/keda/v2', version: 'v2.21.0' };
const INGRESS_NGINX = { path: 'k8s.io/ingress-nginx', version: 'v0.0.0-20240708192948-52c50467d67d' };
const GATEWAY_API = { path: 'sigs.k8s.io/gateway-api', version: 'v1.7.0' };

// Nothing here may register an APIService or a webhook on core kinds: the control plane is
// shared, its pods never run, and an unavailable aggregated API breaks discovery for everyone.
// So metrics-server is left out, and KEDA's metrics APIService and webhook and ingress-nginx's
// Ingress webhook are deleted by a patch in their wrappers.
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
  {
    name: 'argocd-ns',
    module: ARGO,
    dir: 'manifests/namespace-install',
    kind: 'kustomize',
    applyWith: 'kubectl',
  },
  {
    name: 'keda',
    module: KEDA,
    dir: 'config/default',
    kind: 'kustomize',
    applyWith: 'kubectl',
    drop: '(APIService|ValidatingWebhookConfiguration)',
  },
  {
    name: 'ingress-nginx',
    module: INGRESS_NGINX,
    dir: 'deploy/static/provider/cloud',
    kind: 'kustomize',
    applyWith: 'kubectl',
    drop: 'ValidatingWebhookConfiguration',
  },
  {
    name: 'gateway-api',
    module: GATEWAY_API,
    dir: 'config/crd/experimental',
    kind: 'kustomize',
    applyWith: 'kubectl',
  },
  { name: 'podinfo-chart', module: PODINFO, dir: 'charts/podinfo', kind: 'helm', applyWith: 'helm-install' },
  {
    name: 'cert-manager-chart',
    module: CERT_MANAGER,
    dir: 'deploy/charts/cert-manager',
    kind: 'helm',
    applyWith: 'helm-install-configmap',
  },
];

/** Values every chart path gets (kube-drift takes one set for all chart paths). */
export const HELM_SET = ['crds.enabled=true', 'startupapicheck.enabled=false'];

/** The module proxy's case encoding: an upper-case letter becomes "!" and its lower case. */
function escapePath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** Downloads and unpacks a module once; returns the directory holding its files. */
export async function unpacked(module: Module): Promise<string> {
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
  rmSync(zip);
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
 * The module's manifests and charts copied into root/vendor/<owner-name> once (`copied` holds the
 * vendor directories already there); returns that directory, relative to root.
 */
export async function vendorModule(root: string, module: Module, copied: Set<string>): Promise<string> {
  const vendor = join('vendor', module.path.split('/').slice(-2).join('-'));
  if (copied.has(vendor)) return vendor;
  cpSync(await unpacked(module), join(root, vendor), {
    recursive: true,
    // Only manifests and charts: skip Go sources, docs and UI assets.
    filter: (src) => !/\.(go|md|png|svg|ts|tsx|js|scss|html|json)$/.test(src) || src.endsWith('.schema.json'),
  });
  copied.add(vendor);
  return vendor;
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
    const vendor = await vendorModule(root, source.module, copied);
    if (source.kind === 'helm') {
      paths.push(join(vendor, source.dir));
      continue;
    }
    const wrapper = join('apps', source.name);
    mkdirSync(join(root, wrapper), { recursive: true });
    const drop = source.drop
      ? `patches:\n  - target: {kind: "${source.drop}"}\n    patch: |\n      $patch: delete\n      apiVersion: v1\n      kind: Any\n      metadata: {name: any}\n`
      : '';
    writeFileSync(
      join(root, wrapper, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${namespaceOf(source)}\nresources:\n  - ../../${join(vendor, source.dir)}\n${drop}`,
    );
    paths.push(wrapper);
  }
  return { root, paths, namespaceOf };
}
