#!/usr/bin/env node

// src/node-version.ts
function parts(version) {
  const numbers = version.replace(/^v/, "").split(".").map((part) => Number.parseInt(part, 10) || 0);
  while (numbers.length < 3) numbers.push(0);
  return numbers;
}
function isAtLeast(actual, minimum) {
  const a = parts(actual);
  const m = parts(minimum);
  for (let i = 0; i < 3; i++) {
    if (a[i] !== m[i]) return a[i] > m[i];
  }
  return true;
}
function nodeVersionProblem(actual, minimum, face, execPath) {
  if (isAtLeast(actual, minimum)) return void 0;
  const what = `kube-drift needs Node.js ${minimum} or newer, but this is Node.js ${actual} (${execPath}).`;
  if (face === "action") {
    return `${what}
The action declares runs.using: node24 in action.yml; a runner that gives it an older Node.js needs an update (GitHub-hosted runners have Node.js 24).`;
  }
  return [
    what,
    "In a checkout of kube-drift, `npm ci` installs Node.js 24 as node_modules/.bin/node: run",
    "`node_modules/.bin/node dist/cli.js \u2026`, or put node_modules/.bin first on PATH.",
    "Otherwise install Node.js 24 (or 22.19 or newer): https://nodejs.org, or `nvm install 24`."
  ].join("\n");
}

// src/own-directory.ts
function ownDirectory(directory, options = {}) {
  var _a;
  const { lstatSync, mkdirSync } = process.getBuiltinModule("node:fs");
  try {
    mkdirSync(directory, { recursive: options.parents === true, mode: 448 });
  } catch (error) {
    if (error.code !== "EEXIST") return void 0;
  }
  try {
    const stat = lstatSync(directory);
    const uid = (_a = process.getuid) == null ? void 0 : _a.call(process);
    if (!stat.isDirectory()) return void 0;
    if (uid !== void 0 && (stat.uid !== uid || (stat.mode & 18) !== 0)) return void 0;
    return directory;
  } catch {
    return void 0;
  }
}

// src/node-guard.ts
var YOUNG_GENERATION_FLAG = "--semi-space-growth-factor=1";
var OLD_GENERATION_FLAG = "--heap-growing-percent=10";
var TOP_TIER_FLAG = "--no-turbofan";
var problem = nodeVersionProblem(
  process.versions.node,
  "22.19",
  "cli",
  process.execPath
);
if (problem) {
  if (process.env.GITHUB_ACTIONS === "true") process.stdout.write(`::error::${problem.split("\n")[0]}
`);
  process.stderr.write(`${problem}
`);
  process.exit(2);
}
process.on("uncaughtException", failed);
loadEngine().catch(failed);
async function loadEngine() {
  const { setFlagsFromString } = process.getBuiltinModule("node:v8");
  setFlagsFromString(YOUNG_GENERATION_FLAG);
  setFlagsFromString(OLD_GENERATION_FLAG);
  setFlagsFromString(TOP_TIER_FLAG);
  enableCompileCache();
  await import("./cli-main.js");
}
function enableCompileCache() {
  try {
    const { enableCompileCache: enableCompileCache2 } = process.getBuiltinModule("node:module");
    const directory = ownCacheDirectory();
    if (directory && enableCompileCache2) enableCompileCache2(directory);
  } catch {
  }
}
function ownCacheDirectory() {
  var _a;
  const { tmpdir } = process.getBuiltinModule("node:os");
  const { join } = process.getBuiltinModule("node:path");
  const uid = (_a = process.getuid) == null ? void 0 : _a.call(process);
  return ownDirectory(
    join(tmpdir(), uid === void 0 ? "kube-drift-compile-cache" : `kube-drift-compile-cache-${uid}`)
  );
}
function failed(error) {
  process.stderr.write(`kube-drift: ${error instanceof Error ? error.stack : error}
`);
  process.exit(2);
}
