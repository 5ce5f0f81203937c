// Fails when dist/ differs from a fresh bundle of src/: GitHub runs dist/, not src/.
// Bundles into .dist-check/ (same depth as dist/) and compares bytes, file by file.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

const fresh = '.dist-check';
rmSync(fresh, { recursive: true, force: true });
execFileSync(process.execPath, ['tools/bundle.mjs', fresh], { stdio: 'inherit' });
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
