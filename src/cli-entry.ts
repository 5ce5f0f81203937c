// The CLI entry, bundled as dist/cli-main.js, which dist/cli.js (bin: kube-drift) loads once the Node.js version is checked.
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
