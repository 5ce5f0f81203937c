// node bench/client-corpus.ts [--cli dist/cli.js] [--baseline-cli other/cli.js] [--sets a,b] [--hand-edits]
//   [--prefix client] [--keep | --reuse | --clean]
// Client mode (`--diff-mode client`, read-only kubeconfig) on public projects' manifests applied
// as their users apply them (kubectl apply --server-side, helm install): nothing was changed
// after the apply, so every object reported as drift is false drift. Prints per set the objects,
// the false drift, the objects not verifiable without a dry-run and those proved in sync, and the
// totals against issue 18's targets (no false drift, at most 10% not verifiable). Run on demand;
// not part of npm test. With --hand-edits, one object of each namespaced kind of each set then gets
// a hand edit (a label Git sets, another value: `kubectl label --overwrite`), and client mode's
// fields of each edited object are compared with server mode's (a dry-run): they must be the same.
//  Modules come from the Go module proxy (bench/real-sources.ts, cached
// under ~/.cache/kube-drift/), are copied into a temporary repository and never into this one.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lookupTool } from '../src/render/tools.ts';
import { run } from './cluster.ts';
import { HELM_SET, type Module, SOURCES, vendorModule } from './real-sources.ts';

const REPO = resolve(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: {
    cli: { type: 'string', default: join(REPO, 'src', 'cli-entry.ts') },
    /** Another build diffed on the same applied state (before and after a change). */
    'baseline-cli': { type: 'string' },
    kubeconfig: { type: 'string', default: '/work/main/.cluster/kubeconfig' },
    'readonly-kubeconfig': { type: 'string', default: '/work/main/.cluster/kubeconfig-readonly' },
    sets: { type: 'string' },
    /** Leave the sets applied (for --reuse). */
    keep: { type: 'boolean', default: false },
    /** Diff sets a --keep run left applied, without applying again. */
    reuse: { type: 'boolean', default: false },
    /** Only render each set and count its objects (no cluster needed). */
    'render-only': { type: 'boolean', default: false },
    /** Only remove what a --keep run left. */
    clean: { type: 'boolean', default: false },
    /** Where the per-object findings go (drifted fields, not-verifiable reasons). */
    details: { type: 'string', default: join(tmpdir(), 'kube-drift-client-corpus.txt') },
    /** After the as-applied diff: one hand edit per namespaced kind per set, client's fields against server's. */
    'hand-edits': { type: 'boolean', default: false },
    /** Namespaces <prefix>-<set>, chart releases <prefix>: several people may share the cluster. */
    prefix: { type: 'string', default: 'client' },
    /**
     * Leave out the Kustomize and plain sets' cluster-scoped objects (CRDs, RBAC, webhooks), for a
     * cluster where another run (bench/real.ts) applied the same ones: ClusterRoleBindings and
     * webhooks name the namespace, and applying them again would take them over.
     */
    'namespaced-only': { type: 'boolean', default: false },
  },
});
const CLIS = [...(flags['baseline-cli'] ? [resolve(flags['baseline-cli'])] : []), resolve(flags.cli)];
const ADMIN = resolve(flags.kubeconfig);
const READONLY = resolve(flags['readonly-kubeconfig']);
const KUBECTL = lookupTool('kubectl') ?? 'kubectl';
const HELM = lookupTool('helm') ?? 'helm';
const LABEL = { key: 'kube-drift-bench', value: 'client-corpus' };
/** Release name of every chart: cluster-scoped chart objects are then named client-…. */
const RELEASE = flags.prefix;
const STATE = join(homedir(), '.cache', 'kube-drift', `${flags.prefix}-corpus-state.json`);
const log = (line: string) =>
  process.stderr.write(`[client-corpus ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface CorpusSet {
  /** Namespace <prefix>-<name>. */
  name: string;
  module: Module;
  dir: string;
  /** plain: the directory's YAML files, applied with kubectl apply --server-side -f (as its README says). */
  kind: 'kustomize' | 'plain' | 'helm';
  /** Chart values (helm --set). */
  set?: string[];
  /** Kinds deleted by a Kustomize patch (a regular expression of kinds). */
  drop?: string;
  /** plain: files of the directory to take (default every .yaml). */
  files?: RegExp;
}

const PROM = SOURCES.find((s) => s.name === 'prom-operator')!.module;
const DESCHEDULER = { path: 'sigs.k8s.io/descheduler', version: 'v0.36.0' };
const EXTERNAL_DNS = { path: 'sigs.k8s.io/external-dns', version: 'v0.23.0' };
const SEALED_SECRETS = { path: 'github.com/bitnami-labs/sealed-secrets', version: 'v0.40.0' };
const ARGO_ROLLOUTS = { path: 'github.com/argoproj/argo-rollouts', version: 'v1.10.2' };
const CONTOUR = { path: 'github.com/projectcontour/contour', version: 'v1.33.8' };
const INGRESS_NGINX = SOURCES.find((s) => s.name === 'ingress-nginx')!.module;

// Nothing here may register an APIService or an admission webhook on built-in kinds (the control
// plane is shared): bench/real-sources.ts drops KEDA's and ingress-nginx's; the charts below turn
// theirs off. The sets of bench/real.ts whose cluster-scoped objects another set here would
// rebind (Argo CD's namespace installs, whose ClusterRoleBindings name their own namespace) are
// left out: the last apply would win and the first set would show real drift.
const SETS: CorpusSet[] = [
  ...SOURCES.filter((s) => !['argocd-ns', 'argocd-ha'].includes(s.name)).map(
    (s): CorpusSet => ({
      name: s.name,
      module: s.module,
      dir: s.dir,
      kind: s.kind,
      drop: s.drop,
      // cert-manager's CRDs as a release of their own would clash with bench/real.ts's run on
      // the shared cluster (Helm refuses objects another release owns): the chart without them.
      set:
        s.kind === 'helm'
          ? HELM_SET.map((v) => (v === 'crds.enabled=true' ? 'crds.enabled=false' : v))
          : undefined,
    }),
  ),
  { name: 'prom-networkpolicies', module: PROM, dir: 'example/networkpolicies', kind: 'plain' },
  {
    name: 'prom-getting-started',
    module: PROM,
    dir: 'example/user-guides/getting-started',
    kind: 'plain',
    // The guide's steps: its other files are variants of the same Prometheus.
    files: /^(example-app-(deployment|service|service-monitor)|prometheus(-service)?)\.yaml$/,
  },
  {
    name: 'prom-alerting',
    module: PROM,
    dir: 'example/user-guides/alerting',
    kind: 'plain',
    files: /^(alertmanager-example(-service)?|alertmanager-config-example|prometheus-example-rules)\.yaml$/,
  },
  { name: 'prom-storage', module: PROM, dir: 'example/storage', kind: 'plain' },
  { name: 'prom-thanos', module: PROM, dir: 'example/thanos', kind: 'plain' },
  { name: 'descheduler', module: DESCHEDULER, dir: 'kubernetes/deployment', kind: 'kustomize' },
  { name: 'descheduler-chart', module: DESCHEDULER, dir: 'charts/descheduler', kind: 'helm' },
  {
    name: 'external-dns-chart',
    module: EXTERNAL_DNS,
    dir: 'charts/external-dns',
    kind: 'helm',
    // Its values schema wants a policy; the chart's README installs with one.
    set: ['policy=upsert-only'],
  },
  { name: 'sealed-secrets-chart', module: SEALED_SECRETS, dir: 'helm/sealed-secrets', kind: 'helm' },
  { name: 'argo-rollouts', module: ARGO_ROLLOUTS, dir: 'manifests/cluster-install', kind: 'kustomize' },
  {
    name: 'contour',
    module: CONTOUR,
    dir: 'examples/contour',
    kind: 'plain',
    // The CRDs are the Gateway API's too (set gateway-api); the rest is Contour's.
    files: /^0[0-3]-(?!crds).*\.yaml$/,
  },
  {
    name: 'ingress-nginx-chart',
    module: INGRESS_NGINX,
    dir: 'charts/ingress-nginx',
    kind: 'helm',
    set: [
      'controller.admissionWebhooks.enabled=false',
      `controller.ingressClassResource.name=${flags.prefix}-nginx`,
    ],
  },
];

const CLUSTER_SCOPED_KINDS =
  '(CustomResourceDefinition|ClusterRole|ClusterRoleBinding|MutatingWebhookConfiguration|ValidatingWebhookConfiguration|ValidatingAdmissionPolicy|ValidatingAdmissionPolicyBinding|APIService|IngressClass|PriorityClass|GatewayClass)';

interface Prepared {
  set: CorpusSet;
  namespace: string;
  /** Path relative to the repository root: a Kustomize wrapper, or the chart. */
  path: string;
}

/** Copies each module into root/vendor; each non-chart set gets a Kustomize wrapper setting its namespace. */
async function prepare(root: string, sets: CorpusSet[]): Promise<Prepared[]> {
  const out: Prepared[] = [];
  const copied = new Set<string>();
  for (const set of sets) {
    const vendor = await vendorModule(root, set.module, copied);
    const namespace = `${flags.prefix}-${set.name}`;
    if (set.kind === 'helm') {
      out.push({ set, namespace, path: join(vendor, set.dir) });
      continue;
    }
    const wrapper = join('apps', set.name);
    mkdirSync(join(root, wrapper), { recursive: true });
    // Kustomize loads files only from below the kustomization: a plain set's files are copied there.
    const files =
      set.kind === 'plain'
        ? readdirSync(join(root, vendor, set.dir))
            .filter((f) => (set.files ?? /\.ya?ml$/).test(f))
            .sort()
        : [];
    for (const f of files) cpSync(join(root, vendor, set.dir, f), join(root, wrapper, f));
    const resources = set.kind === 'kustomize' ? [`../../${join(vendor, set.dir)}`] : files;
    const drops = [set.drop, flags['namespaced-only'] ? CLUSTER_SCOPED_KINDS : undefined].filter(Boolean);
    const drop = drops.length
      ? `patches:\n  - target: {kind: "${drops.join('|')}"}\n    patch: |\n      $patch: delete\n      apiVersion: v1\n      kind: Any\n      metadata: {name: any}\n`
      : '';
    writeFileSync(
      join(root, wrapper, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${namespace}\nresources:\n${resources.map((r) => `  - ${r}\n`).join('')}${drop}`,
    );
    out.push({ set, namespace, path: wrapper });
  }
  return out;
}

async function must(
  command: string,
  args: string[],
  input?: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const r = await run(command, args, { input, env });
  if (r.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${r.code}): ${r.stderr.slice(0, 2000)}`);
  return r.stdout;
}
const kubectl = (args: string[], input?: string) => must(KUBECTL, ['--kubeconfig', ADMIN, ...args], input);

function helmArgs(root: string, p: Prepared): string[] {
  return [
    RELEASE,
    join(root, p.path),
    '--namespace',
    p.namespace,
    ...(p.set.set ?? []).flatMap((s) => ['--set', s]),
  ];
}

/** What the set's users would apply: kubectl kustomize of the wrapper, or helm template. */
function render(root: string, p: Prepared): Promise<string> {
  return p.set.kind === 'helm'
    ? must(HELM, ['template', ...helmArgs(root, p), '--include-crds'])
    : must(KUBECTL, ['kustomize', join(root, p.path)]);
}

/** Cluster-scoped objects already there (another run's CRDs): cleaning up leaves them. */
async function existing(yaml: string): Promise<Set<string>> {
  const r = await run(
    KUBECTL,
    ['--kubeconfig', ADMIN, 'get', '--ignore-not-found', '-o', 'name', '-f', '-'],
    {
      input: yaml,
    },
  );
  return new Set(r.stdout.split('\n').filter(Boolean));
}

interface State {
  namespaces: string[];
  /** Everything the sets render, to find the cluster-scoped objects among them at cleanup. */
  yaml: string;
  /** Cluster-scoped objects that existed before (another run's CRDs): cleaning up leaves them. */
  before: string[];
}

/** Cluster-scoped objects of `yaml` that exist now (kind.group/name): namespaced ones go with their namespace. */
async function clusterScoped(yaml: string): Promise<string[]> {
  // `get -o name` says kind.group (`customresourcedefinition.apiextensions.k8s.io`), lower case.
  const resources = await kubectl(['api-resources', '--namespaced=false', '--no-headers']);
  const scoped = new Set(
    resources
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const words = line.trim().split(/\s+/);
        const apiVersion = words.at(-3) ?? '';
        const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
        return `${words.at(-1)?.toLowerCase()}${group ? `.${group}` : ''}`;
      }),
  );
  return [...(await existing(yaml))].filter(
    (name) => scoped.has(name.split('/')[0]) && !name.startsWith('namespace/'),
  );
}

async function applyAll(root: string, prepared: Prepared[]): Promise<State> {
  const rendered = await Promise.all(prepared.map((p) => render(root, p)));
  const yaml = rendered.join('\n---\n');
  const namespaces = prepared.map((p) => p.namespace);
  // Written before anything is applied, so that --clean can undo a run that failed half-way.
  const state: State = { namespaces, yaml, before: await clusterScoped(yaml) };
  writeFileSync(STATE, JSON.stringify(state));
  const nsObjects = namespaces.map((name) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { [LABEL.key]: LABEL.value } },
    }),
  );
  await kubectl(
    ['apply', '--server-side', '--field-manager=client-corpus-setup', '-f', '-'],
    nsObjects.join('\n'),
  );
  for (const [i, p] of prepared.entries()) {
    // --namespaced-only may leave a set of CRDs with nothing to apply.
    if (!rendered[i].trim()) continue;
    log(`applying ${p.set.name} (${p.set.kind === 'helm' ? 'helm install' : 'kubectl apply --server-side'})`);
    if (p.set.kind === 'helm')
      await must(HELM, ['--kubeconfig', ADMIN, 'upgrade', '--install', ...helmArgs(root, p)]);
    else {
      const args = ['apply', '--server-side', '-f', '-'];
      const r = await run(KUBECTL, ['--kubeconfig', ADMIN, ...args], { input: rendered[i] });
      if (r.code !== 0 && /ensure CRDs are installed first|no matches for kind/.test(r.stderr)) {
        // Custom resources of CRDs the same apply created: once they are established, apply again.
        await kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
        await kubectl(args, rendered[i]);
      } else if (r.code !== 0) throw new Error(`applying ${p.set.name} failed: ${r.stderr.slice(0, 2000)}`);
    }
  }
  return state;
}

async function cleanUp(state: State): Promise<void> {
  log('cleaning up');
  for (const ns of state.namespaces) {
    await run(HELM, ['--kubeconfig', ADMIN, 'uninstall', RELEASE, '-n', ns, '--ignore-not-found']);
  }
  const before = new Set(state.before);
  const created = (await clusterScoped(state.yaml)).filter((name) => !before.has(name));
  if (created.length > 0)
    await run(KUBECTL, ['--kubeconfig', ADMIN, 'delete', '--ignore-not-found', '--wait=false', ...created]);
  await run(KUBECTL, [
    '--kubeconfig',
    ADMIN,
    'delete',
    'namespace',
    '-l',
    `${LABEL.key}=${LABEL.value}`,
    '--timeout=300s',
  ]);
  rmSync(STATE, { force: true });
}

interface Entry {
  kind: string;
  namespace: string | null;
  name: string;
  action: string;
  note?: string;
  changes: { path: string }[];
}
interface Report {
  entries: Entry[];
  errors: { message: string }[];
  verification?: { dryRun: number; proof: number; clientSide: number; notVerifiable: number };
}

interface Row {
  name: string;
  objects: number;
  /** Client mode's drift that server mode does not report. */
  drifted: number;
  /** Drift server mode reports too (another run on the shared cluster changed the object). */
  real: number;
  notVerifiable: number;
  proved: number;
  other: number;
}

const NOT_VERIFIABLE = 'not verifiable without a dry-run';

async function report(cli: string, root: string, p: Prepared, mode: 'client' | 'server'): Promise<Report> {
  const args = [
    cli,
    'diff',
    '--path',
    p.path,
    '--namespace',
    p.namespace,
    '--target',
    p.namespace,
    '--kubeconfig',
    mode === 'client' ? READONLY : ADMIN,
    '--diff-mode',
    mode,
    '--three-way',
    'off',
    '-o',
    'json',
  ];
  if (p.set.kind === 'helm')
    args.push(
      '--helm-release-name',
      RELEASE,
      '--helm-namespace',
      p.namespace,
      ...(p.set.set ?? []).flatMap((s) => ['--helm-set', s]),
    );
  const r = await run(process.execPath, args, { cwd: root });
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`kube-drift diff of ${p.set.name} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as Report;
}

const DRIFT = new Set(['configured', 'deleted', 'created']);
const keyOf = (e: Entry) => `${e.kind}/${e.namespace ?? ''}/${e.name}`;

/**
 * What server mode (a dry-run, the admin kubeconfig) reports as drift: objects another run on
 * the shared cluster changed (the same public manifests, applied to its own namespaces) are real
 * drift, not client mode's error.
 */
async function serverDrift(cli: string, root: string, p: Prepared): Promise<Set<string>> {
  const server = await report(cli, root, p, 'server');
  return new Set(server.entries.filter((e) => DRIFT.has(e.action)).map(keyOf));
}

async function diff(
  cli: string,
  root: string,
  p: Prepared,
  details: string[],
  confirmed: Set<string>,
): Promise<Row> {
  const report_ = await report(cli, root, p, 'client');
  for (const e of report_.errors) details.push(`${p.set.name}: error ${e.message}`);
  const row: Row = {
    name: p.set.name,
    objects: report_.entries.length,
    drifted: 0,
    real: 0,
    notVerifiable: 0,
    proved: 0,
    other: 0,
  };
  for (const e of report_.entries) {
    const subject = `${p.set.name}: ${keyOf(e)}`;
    if (DRIFT.has(e.action) && confirmed.has(keyOf(e))) {
      row.real++;
      details.push(
        `${subject} drift server mode reports too: ${e.action} ${e.changes.map((c) => c.path).join(' ')}`,
      );
    } else if (DRIFT.has(e.action)) {
      row.drifted++;
      details.push(`${subject} FALSE DRIFT ${e.action} ${e.changes.map((c) => c.path).join(' ')}`);
    } else if (e.action === 'skipped' && e.note?.startsWith(NOT_VERIFIABLE)) {
      row.notVerifiable++;
      details.push(`${subject} NOT-VERIFIABLE ${e.note}`);
    } else if (e.action !== 'unchanged') {
      row.other++;
      details.push(`${subject} ${e.action} ${e.note ?? ''}`);
    } else if (e.note) details.push(`${subject} unchanged, note: ${e.note}`);
  }
  row.proved = report_.verification?.proof ?? 0;
  return row;
}

function table(rows: Row[]): string[] {
  const sum = (f: (r: Row) => number) => rows.reduce((n, r) => n + f(r), 0);
  const total: Row = {
    name: '**total**',
    objects: sum((r) => r.objects),
    drifted: sum((r) => r.drifted),
    real: sum((r) => r.real),
    notVerifiable: sum((r) => r.notVerifiable),
    proved: sum((r) => r.proved),
    other: sum((r) => r.other),
  };
  const lines = [
    '| set | objects | drifted (false) | not verifiable | proved in sync | drift server mode reports too | other |',
    '|---|--:|--:|--:|--:|--:|--:|',
    ...[...rows, total].map(
      (r) =>
        `| ${r.name} | ${r.objects} | ${r.drifted} | ${r.notVerifiable} | ${r.proved} | ${r.real} | ${r.other} |`,
    ),
  ];
  const share = total.objects ? (100 * total.notVerifiable) / total.objects : 0;
  const withDrift = rows.filter((r) => r.drifted > 0).length;
  lines.push(
    '',
    `false drift: **${total.drifted}** objects in ${withDrift} of ${rows.length} sets (target 0); not verifiable: **${total.notVerifiable} of ${total.objects} (${share.toFixed(1)}%)** (target ≤ 10%)`,
  );
  return lines;
}

/** An object given a hand edit, and the fields each mode reports for it. */
interface Edited {
  set: string;
  key: string;
  /** The label whose value was changed. */
  label: string;
}

/**
 * One hand edit per namespaced kind of each set: the first label of the live object (one Git
 * sets, for everything these sets apply) gets another value, as `kubectl label --overwrite`
 * would. The object then has drift in both modes, and client mode predicts the whole object.
 */
async function handEdit(p: Prepared, entries: Entry[]): Promise<Edited[]> {
  const edited: Edited[] = [];
  const kinds = new Set<string>();
  for (const e of entries) {
    if (e.namespace === null || kinds.has(e.kind)) continue;
    const object = `${e.kind}/${e.name}`;
    const live = JSON.parse(await kubectl(['get', '-n', e.namespace, object, '-o', 'json'])) as {
      metadata: { labels?: Record<string, string> };
    };
    const label = Object.keys(live.metadata.labels ?? {})[0];
    if (!label) continue;
    kinds.add(e.kind);
    await kubectl(['label', '--overwrite', '-n', e.namespace, object, `${label}=edited-by-hand`]);
    edited.push({ set: p.set.name, key: keyOf(e), label });
  }
  return edited;
}

/** Each edited object's fields in one mode, by object. */
async function editedFields(
  cli: string,
  root: string,
  p: Prepared,
  mode: 'client' | 'server',
): Promise<Map<string, string>> {
  const fields = new Map<string, string>();
  for (const e of (await report(cli, root, p, mode)).entries)
    fields.set(
      keyOf(e),
      `${e.action} ${e.changes
        .map((c) => c.path)
        .sort()
        .join(' ')}`,
    );
  return fields;
}

/** Client mode's fields of each edited object against server mode's: the rows of objects that differ. */
async function compareEdited(
  root: string,
  prepared: Prepared[],
  edited: Map<Prepared, Edited[]>,
): Promise<string[]> {
  const lines: string[] = [];
  const server = new Map<Prepared, Map<string, string>>();
  for (const p of prepared) server.set(p, await editedFields(CLIS.at(-1)!, root, p, 'server'));
  for (const cli of CLIS) {
    const details: string[] = [];
    let compared = 0;
    let differ = 0;
    const sets = new Set<string>();
    for (const p of prepared) {
      const client = await editedFields(cli, root, p, 'client');
      for (const e of edited.get(p) ?? []) {
        compared++;
        const want = server.get(p)!.get(e.key) ?? '(not reported)';
        const got = client.get(e.key) ?? '(not reported)';
        if (want === got) continue;
        differ++;
        sets.add(p.set.name);
        details.push(`${e.set}: ${e.key} (label ${e.label})\n  server: ${want}\n  client: ${got}`);
      }
    }
    const file = flags.details.replace(
      /(\.txt)?$/,
      `-edits${cli === CLIS[0] && CLIS.length > 1 ? '-baseline' : ''}.txt`,
    );
    writeFileSync(file, `${details.join('\n')}\n`);
    lines.push(
      `### ${cli}: one hand edit per namespaced kind per set`,
      '',
      `client mode's fields differ from server mode's on **${differ} of ${compared}** edited objects (in ${sets.size} of ${prepared.length} sets; target 0). Object by object: ${file}`,
      '',
    );
  }
  return lines;
}

/** The read-only credential must read every kind the sets hold, and must not write. */
async function checkReadonly(): Promise<void> {
  const can = async (verb: string, resource: string) =>
    (await run(KUBECTL, ['--kubeconfig', READONLY, 'auth', 'can-i', verb, resource, '-A'])).stdout.trim();
  const reads = await Promise.all(['list', 'get'].map((v) => can(v, '*.*')));
  const writes = await Promise.all(['patch', 'create'].map((v) => can(v, '*.*')));
  log(`read-only kubeconfig: list/get *.*: ${reads.join('/')}; patch/create *.*: ${writes.join('/')}`);
  if (reads.some((a) => a !== 'yes'))
    throw new Error(`${READONLY} cannot read everything: ${reads.join('/')}`);
  if (writes.some((a) => a !== 'no')) throw new Error(`${READONLY} is not read-only: ${writes.join('/')}`);
}

async function main(): Promise<void> {
  if (flags.clean) {
    if (existsSync(STATE)) await cleanUp(JSON.parse(readFileSync(STATE, 'utf8')) as State);
    return;
  }
  const names = flags.sets?.split(',');
  const sets = names ? SETS.filter((s) => names.includes(s.name)) : SETS;
  const root = mkdtempSync(join(tmpdir(), 'kd-client-corpus-'));
  if (flags['render-only']) {
    for (const p of await prepare(root, sets)) {
      const yaml = await render(root, p);
      log(`${p.set.name}: ${yaml.split(/^kind: /m).length - 1} objects`);
    }
    rmSync(root, { recursive: true, force: true });
    return;
  }
  await checkReadonly();
  let state: State | undefined;
  try {
    const prepared = await prepare(root, sets);
    if (flags.reuse) state = JSON.parse(readFileSync(STATE, 'utf8')) as State;
    else {
      state = await applyAll(root, prepared);
      // Controllers fill in what they own (aggregated ClusterRole rules, ServiceAccount tokens).
      await kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s']);
      await new Promise((r) => setTimeout(r, 5000));
    }
    const uptime = (await run('uptime', [])).stdout.trim();
    const sections: string[] = [];
    const confirmed = new Map<Prepared, Set<string>>();
    for (const p of prepared) confirmed.set(p, await serverDrift(CLIS.at(-1)!, root, p));
    for (const cli of CLIS) {
      const details: string[] = [];
      const rows: Row[] = [];
      for (const p of prepared) {
        rows.push(await diff(cli, root, p, details, confirmed.get(p)!));
        log(`${p.set.name}: ${JSON.stringify(rows.at(-1))}`);
      }
      const file =
        CLIS.length > 1 && cli === CLIS[0]
          ? flags.details.replace(/(\.txt)?$/, '-baseline.txt')
          : flags.details;
      writeFileSync(file, `${details.join('\n')}\n`);
      sections.push(`### ${cli}`, '', ...table(rows), '', `Findings object by object: ${file}`, '');
    }
    if (flags['hand-edits']) {
      const edited = new Map<Prepared, Edited[]>();
      for (const p of prepared) {
        const entries = (await report(CLIS.at(-1)!, root, p, 'server')).entries;
        edited.set(p, await handEdit(p, entries));
      }
      log(`edited ${[...edited.values()].flat().length} objects by hand`);
      sections.push(...(await compareEdited(root, prepared, edited)));
    }
    const text = [
      `## Client mode on real manifests, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      `${prepared.length} sets; kube-drift diff --diff-mode client with a read-only kubeconfig; load: ${uptime}`,
      '',
      ...prepared.map(
        (p) =>
          `- ${p.set.name}: ${p.set.module.path}@${p.set.module.version} ${p.set.dir} (${p.set.kind === 'helm' ? `helm install${p.set.set?.length ? ` --set ${p.set.set.join(',')}` : ''}` : p.set.kind === 'plain' ? 'plain directory, kubectl apply --server-side' : 'Kustomize, kubectl apply --server-side'})`,
      ),
      '',
      ...sections,
    ].join('\n');
    process.stdout.write(`${text}\n`);
  } finally {
    if (flags.keep || flags.reuse) log(`kept the sets applied (${STATE}); --clean removes them`);
    else if (state) await cleanUp(state);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
