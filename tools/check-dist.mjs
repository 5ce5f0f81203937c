// Fails when dist/ differs from a fresh bundle of src/: GitHub runs dist/, not src/.
// Bundles into .dist-check/ (same depth as dist/, so source map paths match) and compares bytes.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';

const fresh = '.dist-check';
rmSync(fresh, { recursive: true, force: true });
renameSync('dist', `${fresh}-committed`);
try {
  execFileSync(process.execPath, ['tools/bundle.mjs'], { stdio: 'inherit' });
  renameSync('dist', fresh);
} finally {
  renameSync(`${fresh}-committed`, 'dist');
}
const names = new Set([...readdirSync('dist'), ...readdirSync(fresh)]);
const differ = [...names].filter((name) => {
  try {
    return !readFileSync(`dist/${name}`).equals(readFileSync(`${fresh}/${name}`));
  } catch {
    return true;
  }
});
rmSync(fresh, { recursive: true, force: true });
if (differ.length > 0) {
  console.error(
    `dist/ does not match a fresh bundle of src/: ${differ.join(', ')}\nRun npm run build and commit dist/.`,
  );
  process.exit(1);
}
console.log(`dist/ matches a fresh bundle of src/ (${names.size} files).`);
