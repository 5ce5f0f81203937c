// Whether this Node.js can run the bundle, and if not, what to say: the bundle's dependencies
// fail on an older Node with errors that name nothing of the cause (undici: "reading 'bind'").
// Imported only by the guard entry (src/node-guard.ts), so it must stay free of imports.

export type Face = 'cli' | 'action';

/** `22.19.0` → [22, 19, 0]; missing parts are 0, a leading `v` is dropped. */
function parts(version: string): number[] {
  const numbers = version
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
  while (numbers.length < 3) numbers.push(0);
  return numbers;
}

export function isAtLeast(actual: string, minimum: string): boolean {
  const a = parts(actual);
  const m = parts(minimum);
  for (let i = 0; i < 3; i++) {
    if (a[i] !== m[i]) return a[i] > m[i];
  }
  return true;
}

/** The message for a Node.js older than `minimum`, or undefined when `actual` will do. */
export function nodeVersionProblem(
  actual: string,
  minimum: string,
  face: Face,
  execPath: string,
): string | undefined {
  if (isAtLeast(actual, minimum)) return undefined;
  const what = `kube-drift needs Node.js ${minimum} or newer, but this is Node.js ${actual} (${execPath}).`;
  if (face === 'action') {
    return `${what}\nThe action declares runs.using: node24 in action.yml; a runner that gives it an older Node.js needs an update (GitHub-hosted runners have Node.js 24).`;
  }
  return [
    what,
    'In a checkout of kube-drift, `npm ci` installs Node.js 24 as node_modules/.bin/node: run',
    '`node_modules/.bin/node dist/cli.js …`, or put node_modules/.bin first on PATH.',
    'Otherwise install Node.js 24 (or 22.19 or newer): https://nodejs.org, or `nvm install 24`.',
  ].join('\n');
}
