// Fails when a file in src/ (or the directory given) is over 350 lines or does not open with a
// line saying what it is for.
// Biome checks functions (noExcessiveLinesPerFunction, 80 lines); its per-file rule counts only
// the line breaks between tokens, so a long template literal or block comment passes unseen.
// A table of data may be longer, with a marker in its first lines saying why:
//   // size: data table, <reason>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_LINES = 350;
const EXEMPT = /^\/\/ size: data table, \S.{8,}/m;
const HEADER = /^\/\/ \S.{14,}/;

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const problems = [];
for (const path of sources(process.argv[2] ?? 'src').sort()) {
  const text = readFileSync(path, 'utf8');
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  if (!HEADER.test(lines[0] ?? '')) {
    problems.push(`${path}:1: open the file with one comment line saying what it is for`);
  }
  const head = lines.slice(0, 10).join('\n');
  if (lines.length > MAX_LINES && !EXEMPT.test(head)) {
    problems.push(`${path}: ${lines.length} lines, over ${MAX_LINES}: split it by what each part does`);
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error('(a table of data may be longer if its first lines say "// size: data table, <reason>")');
  process.exit(1);
}
