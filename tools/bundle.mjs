// Bundles the action (dist/index.js) and the CLI (dist/cli.js) from src/ with esbuild.
// esbuild over Rollup: one dependency instead of five plugins, it handles the CommonJS in
// @kubernetes/client-node's dependency tree without configuration, and bundles in under a
// second, which keeps the check-dist step cheap. Output is deterministic for the same inputs.
// `--outdir <dir>` bundles elsewhere than dist/ (the e2e tests run a bundle fresh from src/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values: args } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // No source maps: the bundle stays readable (not minified), and committing maps would add
  // megabytes to every change of dist/.
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { __KUBE_DRIFT_VERSION__: JSON.stringify(version) },
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

await build({ ...common, entryPoints: ['src/index.ts'], outfile: join(args.outdir, 'index.js') });
await build({
  ...common,
  entryPoints: ['src/cli-entry.ts'],
  outfile: join(args.outdir, 'cli.js'),
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
});
