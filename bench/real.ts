// node bench/real.ts [--repeat 5] [--baseline-cli DIST/cli.js] [--render-only]
// Times kube-drift on real projects' manifests (bench/real-sources.ts) against the tools' own
// rendering and the script a user would write instead, alternating within each round.
// --baseline-cli times another bundle's render and diff in the same rounds; --render-only
// needs no cluster (render and the tools only).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lookupTool } from '../src/render/tools.ts';
import { type CommandResult, run } from './cluster.ts';
import { KUBECTL_REQUEST, type Measurement, measure, median, serverPids } from './measure.ts';
import { HELM_SET, type RealRepository, SOURCES, type Source, writeRealRepository } from './real-sources.ts';

const REPO = resolve(import.meta.dirname, '..');
const NODE = process.execPath;
const { values: flags } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    kubeconfig: { type: 'string', default: join(REPO, '.cluster', 'kubeconfig') },
    cli: { type: 'string', default: join(REPO, 'dist', 'cli.js') },
    keep: { type: 'boolean', default: false },
    'baseline-cli': { type: 'string' },
    'render-only': { type: 'boolean', default: false },
  },
});
const CLI = resolve(flags.cli);
const BASELINE = flags['baseline-cli'] ? resolve(flags['baseline-cli']) : undefined;
const RENDER_ONLY = flags['render-only'];
// kube-drift's own peak memory, apart from its kubectl and helm children (which /usr/bin/time counts).
const OWN_RSS = 'kube-drift own maxRSS KB: ';
const NODE_FLAGS = [
  '--import',
  `data:text/javascript,process.on("exit",()=>process.stderr.write("\\n${OWN_RSS}"+process.resourceUsage().maxRSS+"\\n"))`,
];
const KUBECONFIG = resolve(flags.kubeconfig);
function tool(name: 'kubectl' | 'helm'): string {
  const found = lookupTool(name);
  if (!found) throw new Error(`${name} was found neither on PATH nor in the cache: run npm run cluster:up`);
  return found;
}
const KUBECTL = tool('kubectl');
const HELM = tool('helm');
const PREFIX = `rb-${Math.random().toString(36).slice(2, 7)}`;
const LABEL = 'kube-drift-bench=real';
const RELEASE = 'release';
const log = (line: string) =>
  process.stderr.write(`[real ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function must(command: string, args: string[], input?: string): Promise<string> {
  const r = await run(command, args, { input });
  if (r.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${r.code}): ${r.stderr.slice(0, 2000)}`);
  return r.stdout;
}
const kubectl = (args: string[], input?: string) =>
  must(KUBECTL, ['--kubeconfig', KUBECONFIG, ...args], input);

function helmArgs(repo: RealRepository, i: number): string[] {
  const ns = repo.namespaceOf(SOURCES[i]);
  return [
    RELEASE,
    join(repo.root, repo.paths[i]),
    '--namespace',
    ns,
    ...HELM_SET.flatMap((s) => ['--set', s]),
  ];
}

/** The render commands a user would run by hand, one per path. */
function renderCommands(repo: RealRepository): string[][] {
  return SOURCES.map((s, i) =>
    s.kind === 'helm'
      ? [HELM, 'template', ...helmArgs(repo, i)]
      : [KUBECTL, 'kustomize', join(repo.root, repo.paths[i])],
  );
}

function helm(source: Source, args: string[]): Promise<CommandResult> {
  const driver = source.applyWith === 'helm-install-configmap' ? 'configmap' : 'secret';
  return run(HELM, ['--kubeconfig', KUBECONFIG, ...args], { env: { ...process.env, HELM_DRIVER: driver } });
}

/** Cluster-scoped objects someone else already has (another run's CRDs): cleaning up leaves them. */
async function existing(yaml: string): Promise<Set<string>> {
  const args = ['--kubeconfig', KUBECONFIG, 'get', '--ignore-not-found', '-o', 'name', '-f', '-'];
  const r = await run(KUBECTL, args, { input: yaml });
  return new Set(r.stdout.split('\n').filter(Boolean));
}

interface Applied {
  yaml: string;
  before: Set<string>;
}

async function applyAll(repo: RealRepository, applied: Applied): Promise<void> {
  const rendered: string[] = [];
  for (const command of renderCommands(repo)) rendered.push(await must(command[0], command.slice(1)));
  applied.yaml = rendered.join('\n---\n');
  applied.before = await existing(applied.yaml);
  // Created by a field manager of their own: a kubectl label would be taken over as drift.
  const [key, value] = LABEL.split('=');
  const namespaces = [...new Set(SOURCES.map(repo.namespaceOf))].map((name) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [key]: value } } }),
  );
  await kubectl(['apply', '--server-side', '--field-manager=bench-setup', '-f', '-'], namespaces.join('\n'));
  for (const [i, s] of SOURCES.entries()) {
    log(`applying ${s.name} (${s.applyWith})`);
    if (s.applyWith !== 'kubectl') {
      const r = await helm(s, ['install', ...helmArgs(repo, i)]);
      if (r.code !== 0) throw new Error(`helm install of ${s.name} failed: ${r.stderr.slice(0, 2000)}`);
    } else await kubectl(['apply', '--server-side', '-f', '-'], rendered[i]);
  }
}

async function cleanUp(applied: Applied): Promise<void> {
  for (const s of SOURCES)
    if (s.applyWith !== 'kubectl') await helm(s, ['uninstall', RELEASE, '-n', `${PREFIX}-charts`]);
  // Cluster-scoped objects (CRDs, ClusterRoles) go by name; the namespaces take the rest.
  const ours = [...(await existing(applied.yaml))].filter((name) => !applied.before.has(name));
  if (ours.length > 0)
    await run(KUBECTL, ['--kubeconfig', KUBECONFIG, 'delete', '--ignore-not-found', '--wait=false', ...ours]);
  await run(KUBECTL, ['--kubeconfig', KUBECONFIG, 'delete', 'namespace', '-l', LABEL, '--timeout=300s']);
}

const shellQuote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
const shellLine = (argv: string[]) => argv.map(shellQuote).join(' ');

interface Case {
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Exit statuses that mean success (diff tools exit 1 on drift). */
  ok: number[];
}

function cases(repo: RealRepository): Case[] {
  const ns = `${PREFIX}-charts`;
  const kdPaths = repo.paths.flatMap((p) => ['--path', p]);
  const kdHelm = [
    '--helm-namespace',
    ns,
    '--helm-release-name',
    RELEASE,
    ...HELM_SET.flatMap((s) => ['--helm-set', s]),
  ];
  const renders = renderCommands(repo).map(shellLine).join('; echo ---; ');
  const script = `{ ${renders}; } | ${shellLine([KUBECTL, '--kubeconfig', KUBECONFIG, 'diff', '--server-side', '--force-conflicts', '-f', '-', '-v=6'])}`;
  const stats = { ...process.env, KUBE_DRIFT_STATS: '1' };
  const bundles: [string, string][] = [[CLI, '']];
  if (BASELINE) bundles.push([BASELINE, ' (baseline)']);
  const all: Case[] = [];
  for (const [cli, suffix] of bundles)
    all.push({
      label: `kube-drift render${suffix}`,
      command: NODE,
      args: [...NODE_FLAGS, cli, 'render', ...kdPaths, ...kdHelm],
      env: stats,
      ok: [0],
    });
  all.push({
    label: 'tools by hand (kustomize, helm template)',
    command: 'bash',
    args: ['-c', `${renders} > /dev/null`],
    ok: [0],
  });
  if (RENDER_ONLY) return all;
  for (const [cli, suffix] of bundles)
    all.push({
      label: `kube-drift diff${suffix}`,
      command: NODE,
      args: [
        ...NODE_FLAGS,
        cli,
        'diff',
        ...kdPaths,
        ...kdHelm,
        '--kubeconfig',
        KUBECONFIG,
        '--target',
        PREFIX,
        '--owner',
        PREFIX,
        '-o',
        'json',
      ],
      env: stats,
      ok: [0, 1],
    });
  all.push({
    label: 'script: render by hand, then kubectl diff --server-side',
    command: 'bash',
    args: ['-c', script],
    ok: [0, 1],
  });
  return all;
}

interface Row {
  label: string;
  runs: Measurement[];
  requests: number[];
  /** kube-drift's own peak RSS in MB (NaN for the tools and the script). */
  ownRssMb: number[];
}

function ownRssOf(m: Measurement): number {
  const line = m.stderr.split('\n').find((l) => l.startsWith(OWN_RSS));
  return line ? Number(line.slice(OWN_RSS.length)) / 1024 : Number.NaN;
}

function requestsOf(m: Measurement): number {
  const line = m.stderr.split('\n').find((l) => l.startsWith('kube-drift stats: '));
  if (line) return (JSON.parse(line.slice('kube-drift stats: '.length)) as { requests: number }).requests;
  // kubectl -v=6 in the script logs its requests; the render-only runs make none.
  return m.stderr.match(KUBECTL_REQUEST)?.length ?? Number.NaN;
}

async function timeRounds(repo: RealRepository, rounds: number): Promise<Row[]> {
  const all = cases(repo);
  const rows: Row[] = all.map((c) => ({ label: c.label, runs: [], requests: [], ownRssMb: [] }));
  for (let round = 0; round < rounds; round++) {
    // Alternate the order each round so no case always runs on a warmer machine.
    const order = round % 2 ? [...all.keys()].reverse() : [...all.keys()];
    for (const i of order) {
      const c = all[i];
      const m = await measure(c.command, c.args, { cwd: repo.root, env: c.env });
      if (!c.ok.includes(m.code)) throw new Error(`${c.label} exited ${m.code}: ${m.stderr.slice(-2000)}`);
      rows[i].runs.push(m);
      rows[i].requests.push(requestsOf(m));
      rows[i].ownRssMb.push(ownRssOf(m));
      if (round === 0 && c.label.startsWith('kube-drift diff')) verdicts.set(c.label, summary(m.stdout));
    }
    log(`round ${round + 1}/${rounds} done`);
  }
  return rows;
}

/** What each bundle's first diff reported: entries by action, and which were not unchanged. */
const verdicts = new Map<string, string>();

function summary(json: string): string {
  const report = JSON.parse(json) as {
    entries: { action: string; kind: string; namespace?: string; name: string }[];
    verification?: Record<string, number>;
  };
  const counts = new Map<string, number>();
  for (const e of report.entries) counts.set(e.action, (counts.get(e.action) ?? 0) + 1);
  const changed = report.entries
    .filter((e) => e.action !== 'unchanged')
    .map((e) => `${e.kind}/${e.namespace ?? ''}/${e.name}`);
  const list = changed.length > 0 ? `; not unchanged: ${changed.slice(0, 20).join(', ')}` : '';
  const verified = report.verification ? `, verified ${JSON.stringify(report.verification)}` : '';
  return `${report.entries.length} entries ${JSON.stringify(Object.fromEntries(counts))}${verified}${list}`;
}

function table(rows: Row[]): string[] {
  const s = (ms: number) => (Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(2));
  const mb = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(0));
  const med = (r: Row, f: (m: Measurement) => number) => median(r.runs.map(f));
  const lines = [
    '| run | wall s (median) | wall s (min-max) | CPU s | peak RSS MB (with children) | kube-drift process MB | API requests |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    const walls = r.runs.map((m) => m.wallMs);
    lines.push(
      `| ${r.label} | ${s(median(walls))} | ${s(Math.min(...walls))}-${s(Math.max(...walls))} | ${s(med(r, (m) => m.cpuMs))} | ${mb(med(r, (m) => m.maxRssMb))} | ${mb(median(r.ownRssMb))} | ${Number.isNaN(median(r.requests)) ? '-' : median(r.requests)} |`,
    );
  }
  const wall = (label: string) =>
    median(rows.find((r) => r.label === label)?.runs.map((m) => m.wallMs) ?? []);
  const ratio = (a: string, b: string) => (wall(a) / wall(b)).toFixed(2);
  lines.push('');
  for (const suffix of BASELINE ? ['', ' (baseline)'] : ['']) {
    const render = `render${suffix} / tools' own: **${ratio(`kube-drift render${suffix}`, 'tools by hand (kustomize, helm template)')}×** (target ≤ 1.3×)`;
    const diff = RENDER_ONLY
      ? ''
      : `; diff${suffix} / script: **${ratio(`kube-drift diff${suffix}`, 'script: render by hand, then kubectl diff --server-side')}×** (target ≤ 0.5×)`;
    lines.push(`- ${render}${diff}`);
  }
  return lines;
}

const loadAverage = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

async function main(): Promise<void> {
  for (const name of ['kube-apiserver', 'etcd']) {
    try {
      serverPids.push(Number(readFileSync(join(KUBECONFIG, '..', 'pids', `${name}.pid`), 'utf8').trim()));
    } catch {
      // Without the pids the server CPU column stays empty; nothing else depends on it.
    }
  }
  const root = mkdtempSync(join(tmpdir(), 'kd-bench-real-'));
  const repo = await writeRealRepository(root, PREFIX);
  const applied: Applied = { yaml: '', before: new Set() };
  try {
    if (RENDER_ONLY) {
      const rendered: string[] = [];
      for (const command of renderCommands(repo)) rendered.push(await must(command[0], command.slice(1)));
      applied.yaml = rendered.join('\n---\n');
    } else await applyAll(repo, applied);
    const all = applied.yaml;
    const count = all.split(/^kind: /m).length - 1;
    log(`${count} objects rendered, ${(Buffer.byteLength(all) / 2 ** 20).toFixed(1)} MB of YAML`);
    if (!RENDER_ONLY)
      await kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s']);
    const loadBefore = loadAverage();
    const started = new Date().toISOString().slice(11, 16);
    const rows = await timeRounds(repo, Number(flags.repeat));
    const header = [
      `## Real repositories, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      `${cpus().length} cores; Node ${process.version}; ${count} documents, ${(Buffer.byteLength(all) / 2 ** 20).toFixed(1)} MB of YAML from ${SOURCES.length} paths; medians of ${flags.repeat} rounds, ${started}-${new Date().toISOString().slice(11, 16)} UTC, load average ${loadBefore} before and ${loadAverage()} after.`,
      '',
      ...SOURCES.map(
        (s, i) =>
          `- ${s.name}: ${s.module.path}@${s.module.version} ${s.dir} (${s.kind}, ${s.applyWith}) → ${repo.paths[i]}`,
      ),
      '',
    ];
    const reported = [...verdicts].map(([label, verdict]) => `${label} reported ${verdict}.`);
    const text = [...header, ...reported, '', ...table(rows)].join('\n');
    process.stdout.write(`${text}\n`);
    writeFileSync(join(tmpdir(), 'kube-drift-bench-real.md'), `${text}\n`);
  } finally {
    if (flags.keep) log(`kept ${root} and namespaces ${PREFIX}-*`);
    else {
      log('cleaning up');
      if (!RENDER_ONLY) await cleanUp(applied);
      rmSync(root, { recursive: true, force: true });
    }
  }
}

await main();
