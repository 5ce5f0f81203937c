// The CLI entry bundled as dist/cli.js (bin: kube-drift).
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
