// node bench/block-yaml-agreement.ts DIR|FILE...: every YAML document of the files given (or
// under the directories) that the block parser (src/render/block-yaml.ts) takes, checked against
// js-yaml's event parser: the same value and start offset. Run on demand against real
// repositories, e.g. the real-repository mix bench/real.ts fetches into ~/.cache/kube-drift/bench-real.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { blockDocument } from '../src/render/block-yaml.ts';
import { documentParts, eventDocuments } from '../src/render/fast-yaml.ts';

const files: string[] = [];
const walk = (dir: string) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) walk(path);
    else if (/\.ya?ml$/.test(name)) files.push(path);
  }
};
for (const arg of process.argv.slice(2)) {
  if (statSync(arg).isDirectory()) walk(arg);
  else files.push(arg);
}
let documents = 0;
let taken = 0;
let bytes = 0;
let takenBytes = 0;
const disagreements: string[] = [];
for (const file of files) {
  for (const [i, { part }] of documentParts(readFileSync(file, 'utf8')).entries()) {
    documents++;
    bytes += part.length;
    const block = blockDocument(part);
    if (!block) continue;
    taken++;
    takenBytes += part.length;
    const events = eventDocuments(part);
    const same =
      events?.length === 1 &&
      isDeepStrictEqual(events[0].value, block.value) &&
      events[0].offset === block.offset;
    if (!same) disagreements.push(`${file} (document ${i + 1})`);
  }
}
process.stdout.write(
  `${files.length} files, ${documents} documents (${(bytes / 2 ** 20).toFixed(1)} MiB); the block parser took ${taken} (${(takenBytes / 2 ** 20).toFixed(1)} MiB); disagreements with the event parser: ${disagreements.length}\n${disagreements.slice(0, 20).join('\n')}\n`,
);
process.exitCode = disagreements.length > 0 ? 1 : 0;
