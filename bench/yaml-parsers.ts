// node bench/yaml-parsers.ts [--repeat 15] [--corpus name=path ...]
// Times the two YAML parsers on real manifests, not generated ones: the `yaml` package
// (carefulManifests: full documents, exact positions and messages) and the fast path
// (fastManifests: the block parser, then js-yaml's event parser, then `yaml` for anything
// unusual). Corpora: Flux's CRDs (tools/flux-crds.sh), Kubernetes' own addon and e2e manifests
// and kwok's kustomize output and chart (`helm template`), when the Go module cache holds them,
// and test/fixtures.
// Run on demand; the figures are recorded in docs/architecture.md (YAML parsers).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { carefulManifests, fastManifests, type ParsedManifests } from '../src/render/manifests.ts';
import { lookupTool } from '../src/render/tools.ts';

const REPO = resolve(import.meta.dirname, '..');
const MOD = join(process.env.GOMODCACHE ?? join(homedir(), 'go', 'pkg', 'mod'));
const { values: flags } = parseArgs({
  options: {
    repeat: { type: 'string', default: '15' },
    corpus: { type: 'string', multiple: true, default: [] },
  },
});

interface Corpus {
  name: string;
  /** Each text as one file the renderer would parse. */
  texts: { file: string; text: string }[];
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

function filesCorpus(name: string, dirs: string[]): Corpus | undefined {
  // Templates (Helm, Salt) are not manifests: the renderer never parses them as such.
  const texts = dirs
    .flatMap(yamlFiles)
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
    .filter(({ text }) => !text.includes('{{'));
  return texts.length > 0 ? { name, texts } : undefined;
}

function toolCorpus(name: string, tool: 'helm' | 'kubectl', args: string[]): Corpus | undefined {
  const binary = lookupTool(tool);
  if (!binary) return undefined;
  try {
    const text = execFileSync(binary, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
    return { name, texts: [{ file: `${tool} output`, text }] };
  } catch (error) {
    console.error(`skipped ${name}: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function newest(prefix: string, under: string): string | undefined {
  if (!existsSync(under)) return undefined;
  const found = readdirSync(under)
    .filter((name) => name.startsWith(prefix))
    .sort();
  return found.length > 0 ? join(under, found[found.length - 1]) : undefined;
}

function corpora(): Corpus[] {
  const fluxCache = join(homedir(), '.cache', 'kube-drift', 'flux-crds');
  const fluxDirs = existsSync(fluxCache)
    ? readdirSync(fluxCache)
        .filter((name) => name.startsWith('v'))
        .map((name) => join(fluxCache, name))
    : [];
  const kubernetes = newest('kubernetes@', join(MOD, 'k8s.io'));
  const kwok = newest('kwok@', join(MOD, 'sigs.k8s.io'));
  const found = [
    filesCorpus('Flux CRDs (plain files)', fluxDirs),
    kubernetes &&
      filesCorpus('Kubernetes addons + e2e manifests (plain files)', [
        join(kubernetes, 'cluster', 'addons'),
        join(kubernetes, 'test', 'e2e', 'testing-manifests'),
      ]),
    filesCorpus('test/fixtures (plain files)', [join(REPO, 'test', 'fixtures')]),
    kwok &&
      toolCorpus('kwok kustomize build (tool output)', 'kubectl', [
        'kustomize',
        join(kwok, 'kustomize', 'kwok'),
      ]),
    kwok &&
      toolCorpus('kwok chart, helm template (tool output)', 'helm', [
        'template',
        'kwok',
        join(kwok, 'charts', 'kwok'),
        '--include-crds',
      ]),
    ...(flags.corpus ?? []).map((spec) => {
      const [name, path] = spec.split('=');
      return filesCorpus(name, [path]);
    }),
  ];
  return found.filter((corpus): corpus is Corpus => Boolean(corpus));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

type Parse = (text: string, file: string) => unknown;

/**
 * Median ms of each parser over the corpus. Runs alternate between the parsers (and which goes
 * first), so a busy shared machine slows both alike instead of skewing one.
 */
function timeBoth(corpus: Corpus, parsers: [Parse, Parse], repeat: number): [number, number] {
  const runs: [number[], number[]] = [[], []];
  const once = (which: 0 | 1) => {
    const started = performance.now();
    for (const { file, text } of corpus.texts) parsers[which](text, file);
    runs[which].push(performance.now() - started);
  };
  once(0); // warm up
  once(1);
  runs[0].length = 0;
  runs[1].length = 0;
  for (let i = 0; i < repeat; i++) {
    const first = (i % 2) as 0 | 1;
    once(first);
    once((1 - first) as 0 | 1);
  }
  return [median(runs[0]), median(runs[1])];
}

/** Whether the fast path took a file, and gave the same objects and lines as `yaml` when it did. */
function agreement(corpus: Corpus): { taken: number; differ: string[] } {
  let taken = 0;
  const differ: string[] = [];
  for (const { file, text } of corpus.texts) {
    const fast = fastManifests(text, file, {});
    if (!fast) continue;
    taken++;
    const careful: ParsedManifests = carefulManifests(text, file, {});
    if (JSON.stringify(fast) !== JSON.stringify(careful)) differ.push(file);
  }
  return { taken, differ };
}

const repeat = Number(flags.repeat);
const rows: string[][] = [];
for (const corpus of corpora()) {
  const bytes = corpus.texts.reduce((sum, { text }) => sum + Buffer.byteLength(text), 0);
  const objects = corpus.texts.reduce(
    (sum, { file, text }) => sum + carefulManifests(text, file, {}).objects.length,
    0,
  );
  const [careful, fast] = timeBoth(
    corpus,
    [
      (text, file) => carefulManifests(text, file, {}),
      (text, file) => fastManifests(text, file, {}) ?? carefulManifests(text, file, {}),
    ],
    repeat,
  );
  const { taken, differ } = agreement(corpus);
  const mbps = (ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);
  rows.push([
    corpus.name,
    `${corpus.texts.length}`,
    `${(bytes / 1024).toFixed(0)} KiB`,
    `${objects}`,
    `${careful.toFixed(1)} ms (${mbps(careful)} MB/s)`,
    `${fast.toFixed(1)} ms (${mbps(fast)} MB/s)`,
    `${(careful / fast).toFixed(1)}×`,
    `${taken}/${corpus.texts.length}${differ.length > 0 ? `, differ: ${differ.join(' ')}` : ''}`,
  ]);
}
const header = ['corpus', 'files', 'size', 'objects', '`yaml`', 'fast path', 'speed-up', 'fast path took'];
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\nNode ${process.version}, median of ${repeat} alternating runs after one warm-up.`);
