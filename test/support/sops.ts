// Makes SOPS test fixtures with the real tools: an age key from age-keygen, an OpenPGP key
// from gpg --batch, and files encrypted by the sops CLI (tools/cluster/build.sh builds sops
// and age-keygen into the tool cache). A missing tool fails the test; nothing is hand-made.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { toolCacheDir } from '../../src/render/tools.ts';

export interface SopsKit {
  /** A private temporary directory (keys, GNUPGHOME). */
  dir: string;
  /** The age identity file's content (`# created…`, `# public key…`, `AGE-SECRET-KEY-1…`). */
  ageKey: string;
  ageKeyFile: string;
  ageRecipient: string;
  /** An age identity that opens nothing here (a wrong key). */
  otherAgeKey: string;
  pgpFingerprint: string;
  /** The armored OpenPGP private key, as `gpg --armor --export-secret-keys` prints it. */
  pgpKey: string;
  /** Encrypts a file with the real sops (with a .sops.yaml of `config` when given); returns the encrypted text. */
  encrypt(plain: string | Buffer, name: string, args: string[], config?: string): string;
  cleanup(): void;
}

function findBinary(name: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), toolCacheDir()]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  throw new Error(`${name} was found neither on PATH nor in ${toolCacheDir()}: run tools/cluster/build.sh`);
}

export function sopsKit(): SopsKit {
  const sops = findBinary('sops');
  const ageKeygen = findBinary('age-keygen');
  const gpg = findBinary('gpg');
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-sops-test-'));
  const gnupgHome = join(dir, 'gnupg');
  execFileSync('mkdir', ['-m', '700', gnupgHome]);
  const ageKeyFile = join(dir, 'age.txt');
  execFileSync(ageKeygen, ['-o', ageKeyFile], { stdio: 'pipe' });
  const ageKey = readFileSync(ageKeyFile, 'utf8');
  const ageRecipient = execFileSync(ageKeygen, ['-y', ageKeyFile], { encoding: 'utf8' }).trim();
  const otherAgeKey = execFileSync(ageKeygen, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const env = { ...process.env, GNUPGHOME: gnupgHome };
  execFileSync(
    gpg,
    [
      '--batch',
      '--passphrase',
      '',
      '--quick-gen-key',
      'kube-drift test <sops@kube-drift.invalid>',
      'default',
      'default',
      'never',
    ],
    { env, stdio: 'pipe' },
  );
  const quiet = {
    env,
    encoding: 'utf8' as const,
    stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[],
  };
  const colons = execFileSync(gpg, ['--batch', '--with-colons', '--list-secret-keys'], quiet);
  const pgpFingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
  if (!pgpFingerprint) throw new Error(`gpg made no key: ${colons}`);
  const pgpKey = execFileSync(gpg, ['--batch', '--armor', '--export-secret-keys', pgpFingerprint], quiet);
  let counter = 0;
  return {
    dir,
    ageKey,
    ageKeyFile,
    ageRecipient,
    otherAgeKey,
    pgpFingerprint,
    pgpKey,
    encrypt(plain, name, args, config) {
      const file = join(dir, `${counter++}-${name}`);
      writeFileSync(file, plain);
      const global: string[] = [];
      if (config) {
        writeFileSync(`${file}.sops.yaml`, config);
        global.push('--config', `${file}.sops.yaml`);
      }
      return execFileSync(sops, [...global, 'encrypt', ...args, file], {
        env: { ...env, SOPS_AGE_KEY_FILE: ageKeyFile },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
