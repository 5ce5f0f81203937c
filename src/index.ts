// The action entry, bundled as dist/action-main.js: GitHub runs dist/index.js, which checks the Node.js version and loads it.
import { run } from './main.ts';

await run();
