// Bundles the action and the CLI from src/ with esbuild, into dist/ or the directory given as
// the first argument (check-dist and tests bundle elsewhere):
//   index.js, cli.js            the entries: a guard that checks the Node.js version first
//   action-main.js, cli-main.js the bundles they load once the version is known to be good
// The guard is separate because ES module imports are evaluated before the importing module's
// body: a check inside the bundle would run after its dependencies had already failed.
// esbuild over Rollup: one dependency instead of five plugins, it handles the CommonJS in
// @kubernetes/client-node's dependency tree without configuration, and bundles in under a
// second, which keeps the check-dist step cheap. Output is deterministic for the same inputs.
// `--outdir <dir>` bundles elsewhere than dist/ (the e2e tests run a bundle fresh from src/).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

// `tools/bundle.mjs [dir]` or `tools/bundle.mjs --outdir dir`.
const { values: args, positionals } = parseArgs({
  options: { outdir: { type: 'string' } },
  allowPositionals: true,
});
const outdir = args.outdir ?? positionals[0] ?? 'dist';
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const nodeMinimum = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(pkg.engines?.node ?? '')?.[1];
if (!nodeMinimum) throw new Error(`package.json engines.node must be ">=X.Y", not ${pkg.engines?.node}`);

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  // No source maps: the bundle stays readable (not minified), and committing maps would add
  // megabytes to every change of dist/.
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

// @kubernetes/client-node is used for one class, KubeConfig (src/kube/kubeconfig.ts); requests go
// through node:https with the agent and headers that KubeConfig.applyToHTTPSOptions sets up. Its
// config module also imports the generated API client (1.6 MB: thousands of model classes whose
// static type maps are built when the module is evaluated, ~25 MB of heap kept for the whole
// run) for makeApiClient, undici (0.8 MB) for createDispatcher, and the proxy agents (socks,
// socks-proxy-agent, hpagent, with ip-address and debug: ~10 ms of every start) for a cluster's
// proxy-url, which kube-drift refuses with a message before any agent is made
// (src/kube/kubeconfig.ts). Those imports, from that one module only, become stubs that throw
// if ever called, so a future use fails loudly in the tests instead of silently.
const clientNodeConfig = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/;
const unusedByKubeConfig = {
  './gen/index.js': ['createConfiguration', 'ServerConfiguration'],
  undici: ['Agent', 'ProxyAgent'],
  'socks-proxy-agent': ['SocksProxyAgent'],
  socks: ['SocksClient'],
  hpagent: ['HttpProxyAgent', 'HttpsProxyAgent'],
};
const kubeConfigOnly = {
  name: 'kube-config-only',
  setup(build) {
    // The package's index re-exports the generated client too: take KubeConfig from its module.
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, (args) =>
      build.resolve('@kubernetes/client-node/dist/config.js', {
        kind: args.kind,
        resolveDir: args.resolveDir,
      }),
    );
    build.onResolve({ filter: /^(\.\/gen\/index\.js|undici|socks-proxy-agent|socks|hpagent)$/ }, (args) =>
      clientNodeConfig.test(args.importer)
        ? { path: args.path, namespace: 'unused-by-kube-config' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'unused-by-kube-config' }, (args) => ({
      contents: unusedByKubeConfig[args.path]
        .map(
          (name) =>
            `export function ${name}() { throw new Error('kube-drift bundles @kubernetes/client-node without ${args.path} (${name}); see tools/bundle.mjs'); }`,
        )
        .join('\n'),
      loader: 'js',
    }));
  },
};

// Node.js builtins are loaded with require(), not as ES modules. An ES module import of a
// builtin makes Node.js build a module facade that reads every export once, getters included:
// node:http's WebSocket, CloseEvent and MessageEvent getters load Node's own undici (~40 ms of a
// 1.35 s run at 1,000 objects, bench/RESULTS.md), crypto's webcrypto its Web Crypto. Only
// static imports are redirected; require() calls in CommonJS dependencies already use the
// banner's require.
// Each builtin becomes one ES module that exports the builtin's data properties by name (read
// once, when it is evaluated) and the builtin as its default. Its getters are left out, so
// they still run only if code reads them from the default export; the few that code imports
// by name are read when the module is evaluated (gettersImported: a new one fails the build
// with "No matching export", and goes there once its cost is known). A CommonJS stub instead
// (`module.exports = require(...)`) made esbuild copy the builtin into a new object of getters
// at every file that imports it: 169 copies (33 of node:fs), 14-22 ms of every start.
const builtins = new Set(builtinModules);
const require = createRequire(import.meta.url);
// openpgp (SOPS, loaded on first use) imports node:crypto as a namespace and picks its crypto by
// whether `webcrypto` is in it: that namespace keeps every property as before, getters included.
const keptWhole = new Set(['node:crypto']);
/**
 * Properties that look like data but load Node.js's own modules the first time they are read
 * (node:util's diff, 4.6 ms; setTraceSigInt, which loads worker_threads; parseArgs): found in a
 * fresh process per builtin, since reading one here has loaded it already. They are left out as
 * getters are, unless code imports them by name (gettersImported).
 */
const lazyData = new Map();
function lazyDataProperties(name) {
  if (!lazyData.has(name)) {
    const probe = `
      void performance.now();
      const mod = require(${JSON.stringify(name)});
      const found = [];
      for (const key of Object.keys(mod)) {
        const before = process.moduleLoadList.length;
        const descriptor = Object.getOwnPropertyDescriptor(mod, key);
        if (descriptor && 'value' in descriptor && process.moduleLoadList.length !== before) found.push(key);
      }
      process.stdout.write(JSON.stringify(found));`;
    lazyData.set(name, JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })));
  }
  return lazyData.get(name);
}
const gettersImported = {
  // src/cli.ts and the other commands' argument parsing.
  'node:util': ['parseArgs'],
  // @actions/core's summary; loads node:fs/promises, which the run loads anyway.
  'node:fs': ['promises'],
  // src/render/confine.ts; a class already loaded with async_hooks.
  'node:async_hooks': ['AsyncLocalStorage'],
};
// Builtins that only some runs call (child_process: Helm, Kustomize and git; 6 ms and five
// more of Node's modules to load) are loaded on the first call of one of their functions. Their
// stub exports a wrapper for each plain function, and a default export of those wrappers; a
// constructor or a value imported by name fails the build ("No matching export").
const loadedOnFirstCall = new Set(['node:child_process']);
function firstCallStub(path) {
  const mod = require(path);
  const names = Object.keys(mod).filter(
    (key) =>
      typeof mod[key] === 'function' &&
      /^[a-z]\w*$/.test(key) &&
      !/^class\b/.test(Function.prototype.toString.call(mod[key])),
  );
  return [
    'let builtin;',
    `const load = () => (builtin ??= require(${JSON.stringify(path)}));`,
    ...names.map((name) => `export function ${name}(...args) { return load().${name}(...args); }`),
    `export default { ${names.join(', ')} };`,
  ].join('\n');
}
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (args.kind !== 'import-statement' || !builtins.has(name)) return undefined;
      return { path: `node:${name}`, namespace: 'builtin-by-require' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => {
      if (loadedOnFirstCall.has(args.path)) return { contents: firstCallStub(args.path), loader: 'js' };
      if (keptWhole.has(args.path))
        return { contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' };
      const descriptors = Object.getOwnPropertyDescriptors(require(args.path));
      const names = Object.keys(descriptors).filter(
        (key) =>
          (('value' in descriptors[key] && !lazyDataProperties(args.path).includes(key)) ||
            gettersImported[args.path]?.includes(key)) &&
          /^[A-Za-z_$][\w$]*$/.test(key) &&
          key !== 'default',
      );
      // Assigned, not initialised: esbuild keeps every export then, so a builtin's module is
      // the same text in both bundles and a chunk that imports it is shared, not written twice.
      return {
        contents: [
          `const builtin = require(${JSON.stringify(args.path)});`,
          'export default builtin;',
          `export let ${names.join(', ')};`,
          `({ ${names.join(', ')} } = builtin);`,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

const bundle = {
  ...common,
  plugins: [kubeConfigOnly, builtinsByRequire],
  target: 'node24',
  define: { __KUBE_DRIFT_VERSION__: JSON.stringify(pkg.version) },
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

/** The entry that checks the Node.js version, then imports `main` (a file next to it). */
function guard(face, main, outfile, banner) {
  return build({
    ...common,
    // Old enough to run wherever an ES module runs, so it can say which Node.js is needed.
    target: 'node14',
    entryPoints: ['src/node-guard.ts'],
    outfile,
    external: [main],
    define: {
      __KUBE_DRIFT_MAIN__: JSON.stringify(main),
      __KUBE_DRIFT_FACE__: JSON.stringify(face),
      __KUBE_DRIFT_NODE_MINIMUM__: JSON.stringify(nodeMinimum),
    },
    ...(banner ? { banner: { js: banner } } : {}),
  });
}

/**
 * Builds one bundle, then makes it pure ASCII. V8 holds a module's source text for the whole
 * run, and a source with one character outside Latin-1 is held as UTF-16: twice the bytes (7 MB
 * instead of 3.5). esbuild already escapes non-ASCII in strings, templates, regular expressions
 * and identifiers (charset ascii, its default); what it leaves is in dependencies' comments
 * (`request’s`, `§2.7`), where an escape sequence changes nothing.
 */
async function buildAscii(options) {
  const result = await build({ ...options, metafile: true });
  for (const file of Object.keys(result.metafile.outputs)) {
    const text = readFileSync(file, 'utf8');
    const ascii = text.replace(/\P{ASCII}/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
    if (ascii !== text) writeFileSync(file, ascii);
  }
}

// Code that only some runs need (SOPS's openpgp and age, the CLI's Octokit for `--post`) is
// imported with import() and split into chunk files next to the bundles, loaded on first use:
// the CLI's start-up then reads 1.5 MB less. Chunks are named by content hash, so the two
// builds below share a chunk when its code is the same; stale chunks of an earlier build are
// removed first (check-dist would report them).
mkdirSync(outdir, { recursive: true });
for (const name of readdirSync(outdir, { withFileTypes: true })) {
  if (name.isFile() && /^chunk-[A-Z0-9]+\.js$/.test(name.name)) rmSync(join(outdir, name.name));
}
const split = { ...bundle, splitting: true, outdir, chunkNames: 'chunk-[hash]' };
await buildAscii({ ...split, entryPoints: { 'action-main': 'src/index.ts' } });
await guard('action', './action-main.js', join(outdir, 'index.js'));
await buildAscii({ ...split, entryPoints: { 'cli-main': 'src/cli-entry.ts' } });
await guard('cli', './cli-main.js', join(outdir, 'cli.js'), '#!/usr/bin/env node');
