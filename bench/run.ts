// npm run bench [-- --sizes 100,1000,5000 --repeat 3 ...]
// Times kube-drift diff (the bundle users run) against `kubectl diff --server-side` on the
// same N objects in the local control plane, and prints one table per run. See
// bench/RESULTS.md for a recorded run and what the figures mean.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderJson } from '../src/report/json.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import type { Report } from '../src/report/model.ts';
import { BenchCluster, run } from './cluster.ts';
import { type BenchRepository, subjectOfBench, writeRepository } from './generate.ts';
import {
  apiServerOf,
  type LatencyProxy,
  startLatencyProxy,
  writeKubeconfigThroughProxy,
} from './latency-proxy.ts';
import { haveTime, KUBECTL_REQUEST, type Measurement, measure, median, serverPids } from './measure.ts';

const REPO = resolve(import.meta.dirname, '..');
const NODE = process.execPath;
/** The local control plane's directory, as the tests find it (test/support/cluster.ts). */
const CLUSTER_DIR = process.env.KUBE_DRIFT_CLUSTER_DIR || join(REPO, '.cluster');

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,5000' },
    repeat: { type: 'string', default: '3' },
    kubeconfig: { type: 'string', default: join(CLUSTER_DIR, 'kubeconfig') },
    /** The bundle to time (another build, for before/after comparisons). */
    cli: { type: 'string', default: join(REPO, 'dist', 'cli.js') },
    /** Another bundle timed in the same rounds (before/after in one run, alternating). */
    'baseline-cli': { type: 'string' },
    /** kube-drift --verify values to time (auto,all); empty: no flag (bundles before the option). */
    verify: { type: 'string', default: '' },
    /** kube-drift --concurrency values to time; empty: its default only. */
    concurrency: { type: 'string', default: '' },
    'kubectl-concurrency': { type: 'string', default: '1,8' },
    'apply-with': { type: 'string', default: 'kube-drift' },
    /** Namespaces `<prefix>-0..19`, and the kube-drift target of that name: runs on a shared cluster keep apart. */
    prefix: { type: 'string', default: 'bench' },
    /** Defaults to the kubectl cluster:up built with the API server (same minor version), else the one on PATH. */
    kubectl: { type: 'string' },
    'skip-kubectl': { type: 'boolean', default: false },
    'skip-render': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    /** Keep bench objects an earlier --keep run left (only safe when it was no larger than the first size). */
    reuse: { type: 'boolean', default: false },
    /** Write a CPU profile of one kube-drift run per size into this folder. */
    profile: { type: 'string' },
    /** Also write the tables as Markdown to this file. */
    markdown: { type: 'string' },
    /**
     * Time both tools through a loopback proxy that delays each direction by this many ms (a
     * remote API server); setup still talks to the API server directly.
     */
    'latency-ms': { type: 'string', default: '0' },
  },
});

const CLI = resolve(flags.cli);
const TARGET = flags.prefix;
const CACHED_KUBECTL = join(homedir(), '.cache', 'kube-drift', 'bin', 'kubectl');
const KUBECTL = flags.kubectl ?? (existsSync(CACHED_KUBECTL) ? CACHED_KUBECTL : 'kubectl');
const sizes = flags.sizes
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const repeat = Number(flags.repeat);
const kdConcurrency = flags.concurrency ? flags.concurrency.split(',').map(Number) : [undefined];
const kdVerify = flags.verify ? flags.verify.split(',') : [undefined];
const kubectlConcurrency = flags['skip-kubectl'] ? [] : flags['kubectl-concurrency'].split(',').map(Number);
const latencyMs = Number(flags['latency-ms']);
/** The kubeconfig the timed runs use: the proxy's with --latency-ms, else the API server's. */
let timedKubeconfig = flags.kubeconfig;
const out: string[] = [];
function say(line = ''): void {
  process.stdout.write(`${line}\n`);
  out.push(line);
}
function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
const s = (ms: number) => (Number.isNaN(ms) ? '-' : (ms / 1000).toFixed(2));
const mb = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(0));

interface Variant {
  label: string;
  tool: 'kube-drift' | 'kubectl';
  concurrency?: number;
  /** The bundle, when not --cli. */
  cli?: string;
  verify?: string;
}

interface RunResult {
  m: Measurement;
  requests: number;
  found: Set<string>;
  firstRequestMs?: number;
  errors: number;
  /** kube-drift's requests by kind of request (discover, read OpenAPI schema, list, patch, ...). */
  byVerb?: Record<string, number>;
  /** Objects verified by the in-sync proof, of those verified (bundles that report it). */
  proved?: { proof: number; of: number };
}

/**
 * One owner for every size: each size's tree is a directory of its own, which would otherwise
 * be a different owner of the same target.
 */
function cliArgs(command: 'diff' | 'apply'): string[] {
  const target = ['--target', TARGET, '--owner', TARGET];
  const kubeconfig = command === 'diff' ? timedKubeconfig : flags.kubeconfig;
  return [CLI, command, '--path', 'plain', '--kubeconfig', kubeconfig, ...target, '-o', 'json'];
}

function kubeDriftArgs(concurrency?: number, variant?: Variant): string[] {
  const args = cliArgs('diff');
  if (variant?.cli) args[0] = variant.cli;
  if (concurrency) args.push('--concurrency', String(concurrency));
  if (variant?.verify) args.push('--verify', variant.verify);
  return args;
}

async function runKubeDrift(
  repo: BenchRepository,
  concurrency: number | undefined,
  nodeFlags: string[] = [],
  variant?: Variant,
): Promise<RunResult> {
  const m = await measure(NODE, [...nodeFlags, ...kubeDriftArgs(concurrency, variant)], {
    cwd: repo.root,
    env: { ...process.env, KUBE_DRIFT_STATS: '1' },
  });
  if (m.code === 2) throw new Error(`kube-drift diff failed: ${m.stderr.slice(0, 2000)}`);
  const report = JSON.parse(m.stdout) as Report;
  const statsLine = m.stderr.split('\n').find((l) => l.startsWith('kube-drift stats: '));
  const stats = statsLine
    ? (JSON.parse(statsLine.slice('kube-drift stats: '.length)) as {
        requests: number;
        firstRequestMs?: number;
        byVerb?: Record<string, number>;
      })
    : undefined;
  const found = new Set(
    report.entries.filter((e) => e.action !== 'unchanged').map((e) => `${e.kind}/${e.namespace}/${e.name}`),
  );
  const v = (report as { verification?: { dryRun: number; proof: number; clientSide: number } }).verification;
  return {
    m,
    proved: v ? { proof: v.proof, of: v.proof + v.dryRun + v.clientSide } : undefined,
    requests: stats?.requests ?? Number.NaN,
    byVerb: stats?.byVerb,
    firstRequestMs: stats?.firstRequestMs,
    found,
    errors: report.errors.length,
  };
}

// diff -u -N /tmp/LIVE-123/apps.v1.Deployment.bench-0.app-0000-web /tmp/MERGED-123/...
const KUBECTL_DIFF_HEADER = /^diff -u -N \S*\/LIVE-[^/]+\/(\S+) /gm;

async function runKubectl(repo: BenchRepository, concurrency: number): Promise<RunResult> {
  const args = [
    '--kubeconfig',
    timedKubeconfig,
    'diff',
    '--server-side',
    '--force-conflicts',
    '-R',
    '-f',
    repo.plain,
    `--concurrency=${concurrency}`,
    '-v=6',
  ];
  const m = await measure(KUBECTL, args, { env: { ...process.env, KUBECTL_EXTERNAL_DIFF: '' } });
  if (m.code > 1)
    throw new Error(
      `kubectl diff failed (${m.code}): ${m.stderr
        .split('\n')
        .filter((l) => !KUBECTL_REQUEST.test(l))
        .slice(-20)
        .join('\n')}`,
    );
  const found = new Set<string>();
  for (const match of m.stdout.matchAll(KUBECTL_DIFF_HEADER)) {
    const parts = match[1].split('.');
    const [kind, namespace, name] = parts.slice(-3);
    found.add(`${kind}/${namespace}/${name}`);
  }
  return { m, requests: m.stderr.match(KUBECTL_REQUEST)?.length ?? 0, found, errors: 0 };
}

function sameSet(a: Set<string>, b: Set<string>): { missing: string[]; extra: string[] } {
  return { missing: [...b].filter((x) => !a.has(x)), extra: [...a].filter((x) => !b.has(x)) };
}

async function timeCommand(args: string[], times: number, cwd?: string): Promise<number> {
  const walls: number[] = [];
  for (let i = 0; i < times; i++) {
    const m = await measure(NODE, args, { cwd });
    if (m.code !== 0) throw new Error(`node ${args.join(' ')} failed: ${m.stderr.slice(0, 1000)}`);
    walls.push(m.wallMs);
  }
  return median(walls);
}

/** Where setup time goes, phase by phase, in ms. */
type SetupPhases = Record<'apply' | 'rollOut' | 'drift' | 'settle', number>;

async function setUpSize(cluster: BenchCluster, repo: BenchRepository): Promise<SetupPhases> {
  const n = repo.objects.length;
  log(`N=${n}: applying with ${flags['apply-with']}`);
  const started = performance.now();
  const phases: SetupPhases = { apply: 0, rollOut: 0, drift: 0, settle: 0 };
  let mark = started;
  const lap = (phase: keyof SetupPhases) => {
    const now = performance.now();
    phases[phase] = now - mark;
    mark = now;
  };
  if (flags['apply-with'] === 'kube-drift') {
    const r = await run(NODE, cliArgs('apply'), { cwd: repo.root });
    if (r.code !== 0)
      throw new Error(
        `kube-drift apply failed (${r.code}): ${r.stderr.slice(0, 2000)}; try --apply-with kubectl`,
      );
  } else {
    await cluster.apply(repo.plain, 'kube-drift');
  }
  lap('apply');
  log(`N=${n}: applied in ${s(phases.apply)} s; waiting for Deployments to roll out`);
  if (!(await cluster.settle(120_000 + n * 100)))
    log('warning: Deployments did not settle; timings may include controller load');
  lap('rollOut');
  await cluster.drift(repo.drifted);
  lap('drift');
  log(`N=${n}: drifted ${repo.drifted.length} objects`);
  if (!(await cluster.settle(120_000))) log('warning: Deployments did not settle after drift');
  lap('settle');
  return phases;
}

interface SizeResult {
  n: number;
  applyNote: string;
  /** The 1-minute load average when the timed rounds began and ended. */
  load: [number, number];
  rows: { variant: Variant; runs: RunResult[] }[];
  render: Record<string, number>;
  reportBuild?: {
    markdownMs: number;
    markdownUnlimitedMs: number;
    jsonMs: number;
    allConfiguredMarkdownMs: number;
    allConfiguredJsonMs: number;
    bytes: number;
  };
}

async function benchSize(cluster: BenchCluster, n: number): Promise<SizeResult> {
  const root = mkdtempSync(join(tmpdir(), `kube-drift-bench-${n}-`));
  try {
    const repo = writeRepository(root, n, flags.prefix);
    const applyStarted = performance.now();
    const phases = await setUpSize(cluster, repo);
    // Taken here, not after the timed rounds (which runs before 2026-12-02 counted as setup).
    const setupNote = `${s(performance.now() - applyStarted)} s (apply ${s(phases.apply)} s, Deployments rolled out ${s(phases.rollOut)} s, drift ${s(phases.drift)} s, settled ${s(phases.settle)} s)`;
    const expected = new Set(repo.drifted.map(subjectOfBench));
    const variants: Variant[] = [
      ...(flags['baseline-cli']
        ? [
            {
              label: 'kube-drift (baseline)',
              tool: 'kube-drift',
              cli: resolve(flags['baseline-cli']),
            } as Variant,
          ]
        : []),
      ...kdConcurrency.flatMap((c) =>
        kdVerify.map(
          (verify): Variant => ({
            label: `kube-drift${c ? ` -c ${c}` : ''}${verify ? ` --verify ${verify}` : ''}`,
            tool: 'kube-drift',
            concurrency: c,
            verify,
          }),
        ),
      ),
      ...kubectlConcurrency.map(
        (c): Variant => ({ label: `kubectl diff --concurrency=${c}`, tool: 'kubectl', concurrency: c }),
      ),
    ];
    const rows = variants.map((variant) => ({ variant, runs: [] as RunResult[] }));
    const loadBefore = loadavg()[0];
    // Alternate the tools within each round, so drift in the machine's state hits all alike.
    for (let r = 0; r < repeat; r++) {
      for (const row of rows) {
        const result =
          row.variant.tool === 'kube-drift'
            ? await runKubeDrift(repo, row.variant.concurrency, [], row.variant)
            : await runKubectl(repo, row.variant.concurrency ?? 1);
        const { missing, extra } = sameSet(result.found, expected);
        if (missing.length || extra.length || result.errors) {
          log(
            `warning: ${row.variant.label} at N=${n}: missed ${missing.length} [${missing.slice(0, 5).join(', ')}], extra ${extra.length} [${extra.slice(0, 5).join(', ')}], errors ${result.errors}`,
          );
        }
        log(
          `N=${n} round ${r + 1}: ${row.variant.label}: ${s(result.m.wallMs)} s, ${result.requests} requests`,
        );
        row.runs.push(result);
      }
    }
    if (flags.profile) {
      const dir = resolve(flags.profile, `n${n}`);
      await runKubeDrift(repo, kdConcurrency[0], ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
      log(`N=${n}: CPU profile in ${dir}`);
    }
    const result: SizeResult = {
      n,
      applyNote: setupNote,
      load: [loadBefore, loadavg()[0]],
      rows,
      render: {},
    };
    result.reportBuild = timeReportBuild(
      JSON.parse((await runKubeDrift(repo, kdConcurrency[0])).m.stdout) as Report,
    );
    if (!flags['skip-render']) result.render = await timeRender(repo);
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function timed(fn: () => unknown, times = 3): number {
  const walls: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    fn();
    walls.push(performance.now() - started);
  }
  return median(walls);
}

/** Markdown and JSON from the real report, and from one where every object drifted (the worst case for size budgets). */
function timeReportBuild(report: Report): SizeResult['reportBuild'] {
  const drifted = report.entries.find((e) => e.action === 'configured');
  const allConfigured: Report = drifted
    ? {
        ...report,
        entries: report.entries.map((e) => ({
          ...e,
          action: 'configured',
          changes: drifted.changes,
          diff: drifted.diff,
        })),
      }
    : report;
  allConfigured.summary = { ...report.summary, configured: report.entries.length, unchanged: 0 };
  return {
    markdownMs: timed(() => renderMarkdown(report)),
    markdownUnlimitedMs: timed(() => renderMarkdown(report, { budgetBytes: Number.MAX_SAFE_INTEGER })),
    jsonMs: timed(() => renderJson(report)),
    allConfiguredMarkdownMs: timed(() => renderMarkdown(allConfigured)),
    allConfiguredJsonMs: timed(() => renderJson(allConfigured)),
    bytes: renderJson(report).length,
  };
}

async function timeRender(repo: BenchRepository): Promise<Record<string, number>> {
  const helm =
    process.env.KUBE_DRIFT_HELM ?? join(process.env.HOME ?? '', '.cache', 'kube-drift', 'bin', 'helm');
  const sources: [string, string][] = [
    ['plain', 'plain'],
    ['kustomize', 'kustomize'],
  ];
  if (existsSync(helm)) sources.push(['helm', 'chart']);
  else log(`no helm at ${helm}: skipping Helm render timing`);
  const timesMs: Record<string, number> = {};
  for (const [source, path] of sources) {
    const walls: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const m = await measure(NODE, [CLI, 'render', '--path', path, '--source', source], {
        cwd: repo.root,
        env: { ...process.env, KUBE_DRIFT_HELM: helm },
      });
      if (m.code !== 0)
        throw new Error(`kube-drift render --source ${source} failed: ${m.stderr.slice(0, 1000)}`);
      const count = m.stdout.split('\n').filter((l) => l.startsWith('# Source: ')).length;
      if (count !== repo.objects.length)
        log(`warning: ${source} rendered ${count} objects, expected ${repo.objects.length}`);
      walls.push(m.wallMs);
    }
    timesMs[source] = median(walls);
  }
  return timesMs;
}

function verbs(result: RunResult): string {
  const byVerb = Object.entries(result.byVerb ?? {}).map(([verb, count]) => `${verb} ${count}`);
  return `${result.requests} (${byVerb.join(', ')})`;
}

function printSize(r: SizeResult, baseline: number): void {
  const kd = r.rows.find((row) => row.variant.tool === 'kube-drift' && !row.variant.cli)!;
  const kdWall = median(kd.runs.map((x) => x.m.wallMs));
  const kdBest = Math.min(...kd.runs.map((x) => x.m.wallMs));
  say(`### N = ${r.n}`);
  say();
  say(
    '| tool | wall s (median) | wall s (best) | CPU s | peak RSS MB | API requests | server CPU s | drifted found (of expected) | proved | kube-drift / this (median) | kube-drift / this (best) |',
  );
  say('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const row of r.rows) {
    const wall = median(row.runs.map((x) => x.m.wallMs));
    const best = Math.min(...row.runs.map((x) => x.m.wallMs));
    const found = row.runs.map((x) => x.found.size);
    const foundText = found.every((f) => f === found[0]) ? String(found[0]) : found.join('/');
    const proved = row.runs[0].proved;
    const provedText = proved ? `${proved.proof}/${proved.of}` : '-';
    say(
      `| ${row.variant.label} | ${s(wall)} | ${s(best)} | ${s(median(row.runs.map((x) => x.m.cpuMs)))} | ${mb(median(row.runs.map((x) => x.m.maxRssMb)))} | ${median(row.runs.map((x) => x.requests))} | ${s(median(row.runs.map((x) => x.m.serverCpuMs)))} | ${foundText} (${Math.ceil(r.n / 20)}) | ${provedText} | ${(kdWall / wall).toFixed(2)} | ${(kdBest / best).toFixed(2)} |`,
    );
  }
  const firsts = kd.runs.map((x) => x.firstRequestMs ?? Number.NaN);
  say();
  say(
    `Load average (1 min) as the timed rounds began and ended: ${r.load[0].toFixed(2)}, ${r.load[1].toFixed(2)}.`,
  );
  for (const row of r.rows.filter((x) => x.variant.tool === 'kube-drift' && x.runs[0].byVerb))
    say(`Requests of ${row.variant.label} (first run), by kind: ${verbs(row.runs[0])}.`);
  say(
    `Setup (apply + drift + settle): ${r.applyNote}. kube-drift's first request at ${median(firsts).toFixed(0)} ms after process start (bare \`node -e 0\`: ${baseline.toFixed(0)} ms).`,
  );
  if (Object.keys(r.render).length)
    say(
      `Render (\`kube-drift render\`, wall, median): ${Object.entries(r.render)
        .map(([k, v]) => `${k} ${s(v)} s`)
        .join(', ')}.`,
    );
  const b = r.reportBuild;
  if (b) {
    say(
      `Report build (in process): Markdown ${b.markdownMs.toFixed(0)} ms (unlimited budget ${b.markdownUnlimitedMs.toFixed(0)} ms), JSON ${b.jsonMs.toFixed(0)} ms (${(b.bytes / 1e6).toFixed(1)} MB); every object drifted: Markdown ${b.allConfiguredMarkdownMs.toFixed(0)} ms, JSON ${b.allConfiguredJsonMs.toFixed(0)} ms.`,
    );
  }
  say();
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`no bundle at ${CLI}: run npm run build first`);
  if (!existsSync(flags.kubeconfig))
    throw new Error(`no kubeconfig at ${flags.kubeconfig}: run npm run cluster:up first`);
  if (!haveTime)
    log('warning: /usr/bin/time is missing (apt-get install time): CPU and memory columns will be empty');
  const cluster = new BenchCluster(flags.kubeconfig, KUBECTL, flags.prefix);
  for (const name of ['kube-apiserver', 'etcd']) {
    const pidFile = join(CLUSTER_DIR, 'pids', `${name}.pid`);
    if (existsSync(pidFile)) serverPids.push(Number(readFileSync(pidFile, 'utf8').trim()));
  }
  if (!(await cluster.ready()))
    throw new Error('the local control plane is not ready: run npm run cluster:up');
  if (!flags.reuse && (await cluster.benchNamespacesExist())) {
    log('removing bench namespaces left from an earlier run');
    await cluster.cleanUp();
  }
  await cluster.setUp();
  let proxy: LatencyProxy | undefined;
  if (latencyMs > 0) {
    proxy = await startLatencyProxy(apiServerOf(flags.kubeconfig), latencyMs);
    timedKubeconfig = join(mkdtempSync(join(tmpdir(), 'kube-drift-bench-proxy-')), 'kubeconfig');
    writeKubeconfigThroughProxy(flags.kubeconfig, proxy.url, timedKubeconfig);
    const through = await new BenchCluster(timedKubeconfig, KUBECTL).ready();
    if (!through) throw new Error(`the API server does not answer through the proxy at ${proxy.url}`);
  }
  const kubectlVersion = (await run(KUBECTL, ['version', '--client', '-o', 'json'])).stdout;
  say(`## kube-drift benchmark, ${new Date().toISOString().slice(0, 16)}Z`);
  say();
  say(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; kubectl ${(JSON.parse(kubectlVersion) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion}; API server ${await cluster.serverVersion()}. Medians of ${repeat} runs.`,
  );
  say();
  if (proxy)
    say(
      `Timed runs go through a loopback TCP proxy that holds each direction ${latencyMs} ms (a round trip ${2 * latencyMs} ms longer, as to a remote API server); TLS passes through untouched and is verified against the API server's certificate. Setup talks to the API server directly.`,
    );
  say(
    `Load average at the start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}.`,
  );
  say();
  const baseline = await timeCommand(['-e', '0'], 5);
  const version = await timeCommand([CLI, '--version'], 5);
  say(
    `Bundle load: \`node -e 0\` ${baseline.toFixed(0)} ms; \`kube-drift --version\` ${version.toFixed(0)} ms.`,
  );
  say();
  try {
    for (const n of sizes) {
      const r = await benchSize(cluster, n);
      printSize(r, baseline);
    }
  } finally {
    await proxy?.close();
    if (timedKubeconfig !== flags.kubeconfig)
      rmSync(join(timedKubeconfig, '..'), { recursive: true, force: true });
    if (flags.markdown) writeFileSync(flags.markdown, `${out.join('\n')}\n`);
    if (!flags.keep) {
      log('cleaning up bench namespaces');
      await cluster.cleanUp();
    }
  }
}

await main();
