// The pull request's base commit as a directory of files, for three-way previews:
// rendered like the head, so the plan can tell the PR's own changes from drift already in the
// cluster. The user's checkout (worktree, index, HEAD) is never touched: the tree is read
// into a temporary index file and written out under a temporary directory.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { scratchDir } from './scratch.ts';
import { toolEnvironment } from './tools.ts';

export interface BaseCheckout {
  /** The base commit's tree, as files. */
  dir: string;
  /** The base commit's full SHA. */
  sha: string;
  cleanup(): Promise<void>;
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: { ...toolEnvironment(), ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new InputError(`git could not be run in ${cwd}: ${error.message}`, {
              hint: 'Three-way previews need git on PATH; set three-way to off to diff without them.',
              cause: error,
            }),
          );
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

async function gitOk(cwd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await git(cwd, args, env);
  if (result.code !== 0) {
    throw new InputError(
      `git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim() || `exit status ${result.code}`}`,
    );
  }
  return result.stdout;
}

/** The top directory of the Git work tree that holds `dir`. */
export async function gitToplevel(dir: string): Promise<string> {
  const result = await git(dir, ['rev-parse', '--show-toplevel']);
  if (result.code !== 0) {
    throw new InputError(
      `${dir} is not inside a Git repository, so there is no base commit to compare with`,
      {
        hint: 'Run from a Git checkout, or set three-way to off (and drop --base).',
      },
    );
  }
  return result.stdout.trim();
}

/** The commit SHA a ref (branch, tag, SHA, `HEAD~1`, `origin/main`) names, or an InputError saying so. */
export async function resolveCommit(repoRoot: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new InputError(`--base "${ref}" is not a Git ref`);
  const result = await git(repoRoot, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${ref}^{commit}`,
  ]);
  if (result.code !== 0) throw await missingCommit(repoRoot, ref);
  return result.stdout.trim();
}

async function missingCommit(repoRoot: string, ref: string): Promise<InputError> {
  const shallow = (await git(repoRoot, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  return new InputError(
    `the base commit ${ref} is not in the Git clone at ${repoRoot}${shallow ? ' (a shallow clone)' : ''}, so the three-way preview cannot render it`,
    {
      hint:
        'Check out with enough history to include the base: actions/checkout with `fetch-depth: 0` ' +
        '(or a depth that reaches the pull request base), or `git fetch origin <base>`; or set three-way to off.',
    },
  );
}

/** Materializes `baseSha`'s tree in a temporary directory; `cleanup()` removes it. */
export async function checkoutBase(repoRoot: string, baseSha: string): Promise<BaseCheckout> {
  const sha = await resolveCommit(repoRoot, baseSha);
  const { path: scratch, remove: cleanup } = scratchDir('base');
  try {
    const dir = join(scratch, 'tree');
    await mkdir(dir);
    // A private index file: the user's index and work tree stay as they are.
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await gitOk(repoRoot, ['read-tree', sha], env);
    await gitOk(repoRoot, ['checkout-index', '--all', `--prefix=${dir}/`], env);
    return { dir, sha, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * One file's text at a commit, read from Git's object store (the work tree and index are not
 * looked at), or undefined when the commit has no such file. `path` is relative to `repoRoot`.
 */
export async function readFileAtCommit(
  repoRoot: string,
  ref: string,
  path: string,
): Promise<string | undefined> {
  const sha = await resolveCommit(repoRoot, ref);
  const spec = `${sha}:./${path.split('\\').join('/')}`;
  if ((await git(repoRoot, ['cat-file', '-e', spec])).code !== 0) return undefined;
  return gitOk(repoRoot, ['cat-file', 'blob', spec]);
}
