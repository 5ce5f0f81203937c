// External tools (helm, kubectl, kustomize): found, run with a clean environment, output captured.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors.ts';

export type ToolName = 'helm' | 'kubectl' | 'kustomize';

const ENV_VARS: Record<ToolName, string> = {
  helm: 'KUBE_DRIFT_HELM',
  kubectl: 'KUBE_DRIFT_KUBECTL',
  kustomize: 'KUBE_DRIFT_KUSTOMIZE',
};

const INSTALL_HINTS: Record<ToolName, string> = {
  helm: 'install Helm (https://helm.sh/docs/intro/install/, or `go install helm.sh/helm/v3/cmd/helm@latest`)',
  kubectl: 'install kubectl (https://kubernetes.io/docs/tasks/tools/)',
  kustomize: 'install kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/) or kubectl',
};

export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.KUBE_DRIFT_CACHE || join(homedir(), '.cache', 'kube-drift'), 'bin');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tool's path, or undefined when it is nowhere to be found. */
export function lookupTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env[ENV_VARS[name]];
  if (fromEnv) return fromEnv;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  const cached = join(toolCacheDir(env), name);
  return isExecutable(cached) ? cached : undefined;
}

/**
 * Finds a binary: the KUBE_DRIFT_<TOOL> environment variable, then PATH, then
 * ${KUBE_DRIFT_CACHE:-~/.cache/kube-drift}/bin. Throws an InputError saying how to get it.
 */
export function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const envVar = ENV_VARS[name];
  const fromEnv = env[envVar];
  if (fromEnv && !isExecutable(fromEnv)) {
    throw new InputError(`${envVar} is set to ${fromEnv}, which is not an executable file`, {
      hint: `Point ${envVar} at the ${name} binary, or unset it to search PATH.`,
    });
  }
  const found = lookupTool(name, env);
  if (found) return found;
  throw new InputError(`${name} was not found on PATH nor in ${toolCacheDir(env)}`, {
    hint: `${INSTALL_HINTS[name]}, or set ${envVar} to its path.`,
  });
}

export interface ToolRun {
  /** The command as shown to users: values given with --set are masked. */
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started. */
  spawnError?: string;
}

/** Shows a command line the way a user could paste it, without revealing --set values. */
export function displayCommand(binary: string, args: string[]): string {
  const shown: string[] = [binary];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if ((arg === '--set' || arg === '--set-string') && i + 1 < args.length) {
      shown.push(arg, maskAssignments(args[++i]));
    } else if (/^--set(-string)?=/.test(arg)) {
      const [flag, value] = [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)];
      shown.push(`${flag}=${maskAssignments(value)}`);
    } else shown.push(arg);
  }
  return shown.map(quote).join(' ');
}

// `a=1,b.c=2` → `a=***,b.c=***`: --set values are often passwords.
function maskAssignments(value: string): string {
  return value
    .split(',')
    .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('='))}=***` : pair))
    .join(',');
}

function quote(word: string): string {
  return /^[\w@%+=:,./*-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

// What a rendering tool may see of kube-drift's environment: where to find programs and its
// home, proxies, its own config and cache locations, temporary and TLS trust directories.
// Not INPUT_*, GITHUB_TOKEN, ACTIONS_*, KUBECONFIG or anything else: a pull request's
// manifests decide what these tools read and fetch.
const TOOL_ENV_NAMES = new Set([
  'PATH',
  'HOME',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  // Windows needs these to start programs and find the user's profile.
  'SYSTEMROOT',
  'PATHEXT',
  'COMSPEC',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
]);
const TOOL_ENV_PREFIXES = ['HELM_', 'XDG_'];

/** The minimal environment rendering tools (helm, kubectl kustomize, git) run with. */
export function toolEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    const upper = name.toUpperCase();
    if (TOOL_ENV_NAMES.has(upper) || TOOL_ENV_PREFIXES.some((prefix) => upper.startsWith(prefix)))
      kept[name] = value;
  }
  return kept;
}

/**
 * Runs a tool to completion, capturing its output; never throws. `env` replaces the minimal
 * environment (callers derive theirs from toolEnvironment()).
 */
export async function runTool(
  binary: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = toolEnvironment(),
): Promise<ToolRun> {
  const out: Buffer[] = [];
  const run = await spawnTool(binary, args, cwd, env, (chunk) => out.push(chunk));
  return run.spawnError ? run : { ...run, stdout: Buffer.concat(out).toString('utf8') };
}

/**
 * Text of whole YAML documents is handed on once this much has arrived: large enough that a
 * run of small documents is parsed in few calls, small against a tool's output of megabytes.
 */
const DOCUMENTS_BATCH = 256 * 1024;

/**
 * Runs a tool as runTool does, but hands its stdout to `onDocuments` as it arrives, in pieces
 * that each end where a YAML document starts (a line of `---`; the last piece ends with the
 * output), instead of returning it: the output of a Kustomize build of CRDs runs to megabytes,
 * and neither its bytes nor its text then has to be held whole beside the parsed objects. The
 * ToolRun's stdout is empty. The caller throws the pieces' results away when the run failed.
 */
export async function runToolDocuments(
  binary: string,
  args: string[],
  cwd: string,
  onDocuments: (text: string) => void,
  env: NodeJS.ProcessEnv = toolEnvironment(),
): Promise<ToolRun> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let failure: unknown;
  const hand = (text: string) => {
    if (failure !== undefined || text === '') return;
    try {
      onDocuments(text);
    } catch (error) {
      failure = error;
    }
  };
  const run = await spawnTool(binary, args, cwd, env, (chunk) => {
    pending += decoder.write(chunk);
    if (pending.length < DOCUMENTS_BATCH) return;
    const cut = lastDocumentStart(pending);
    if (cut <= 0) return;
    hand(pending.slice(0, cut));
    pending = pending.slice(cut);
  });
  if (run.spawnError) return run;
  hand(pending + decoder.end());
  if (failure === undefined || run.exitCode !== 0) return run;
  const reason = failure instanceof Error ? failure.message : String(failure);
  return { ...run, exitCode: null, spawnError: `reading its output failed: ${reason}` };
}

/** Starts a tool, hands each chunk of its stdout to `onStdout`, and keeps its stderr; never throws. */
function spawnTool(
  binary: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  onStdout: (chunk: Buffer) => void,
): Promise<ToolRun> {
  const command = displayCommand(binary, args);
  return new Promise((resolve) => {
    const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    child.stdout.on('data', onStdout);
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      resolve({ command, exitCode: null, stdout: '', stderr: '', spawnError: error.message }),
    );
    child.on('close', (exitCode) =>
      resolve({ command, exitCode, stdout: '', stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/**
 * Where the last complete document-start line (`---` then a space, tab or line end) begins, or
 * -1. A `---` at the very end of the text is not taken: more of its line may be on the way.
 */
export function lastDocumentStart(text: string): number {
  for (let at = text.lastIndexOf('\n---'); at !== -1; at = text.lastIndexOf('\n---', at - 1)) {
    const next = text[at + 4];
    if (next === ' ' || next === '\t' || next === '\n' || next === '\r') return at + 1;
    if (at === 0) break;
  }
  return -1;
}

/** The problem message for a run that failed: the command and what it printed on stderr. */
export function failureMessage(run: ToolRun): string {
  if (run.spawnError) return `could not run ${run.command}: ${run.spawnError}`;
  const stderr = withoutLogPrefix(run.stderr.trim());
  return `${run.command} failed (exit status ${run.exitCode})${stderr ? `:\n${stderr}` : ''}`;
}

// kubectl reports through klog: `E0102 15:04:05.000000  123 run.go:72] "command failed" err="..."`.
// The message is what the user needs; the timestamp and pid would only make it noisy.
const KLOG_LINE = /^[EWIF]\d{4} [\d:.]+\s+\d+ [^\]]+\] "command failed" err=(".*")$/;

function withoutLogPrefix(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => {
      const match = KLOG_LINE.exec(line);
      if (!match) return line;
      try {
        return `error: ${JSON.parse(match[1]) as string}`;
      } catch {
        return line;
      }
    })
    .join('\n');
}
