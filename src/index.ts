// The action entry: GitHub runs dist/index.js, which runs this.
import { run } from './main.ts';

await run();
