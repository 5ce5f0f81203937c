// Generator sources of a Flux Kustomization with sops decryption: decrypted into a private
// temporary directory only for the build, the kustomization files pointed at them and restored.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import type { DecryptionContext } from '../../../src/render/flux/decryption.ts';
import { withDecryptedSources } from '../../../src/render/flux/generators.ts';
import { loadSopsKeys, noKeys } from '../../../src/render/sops/keys.ts';
import { type SopsKit, sopsKit } from '../../support/sops.ts';

let kit: SopsKit;
let tree: string;

function write(path: string, text: string) {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), text);
}

before(() => {
  kit = sopsKit();
  tree = mkdtempSync(join(tmpdir(), 'kube-drift-decryption-test-'));
  const age = ['--age', kit.ageRecipient];
  write('base/app.env', kit.encrypt('USER=app\nPASSWORD=env-secret\n', 'app.env', age));
  write('base/plain.env', 'MODE=plain\n');
  write(
    'base/cert.pem',
    kit.encrypt('pem-secret\n', 'cert.pem', [...age, '--input-type', 'binary', '--output-type', 'binary']),
  );
  write(
    'base/kustomization.yaml',
    stringify({
      secretGenerator: [{ name: 'app', envs: ['app.env', 'plain.env'], files: ['tls.crt=cert.pem'] }],
    }),
  );
  write('overlay/kustomization.yaml', stringify({ resources: ['../base'] }));
});
after(() => {
  kit?.cleanup();
  if (tree) rmSync(tree, { recursive: true, force: true });
});

const context = async (keys = { ageKey: kit.ageKey }): Promise<DecryptionContext> => ({
  keys: await loadSopsKeys(keys),
  tree,
  fileName: (path) => relative(tree, path),
});

describe('withDecryptedSources', () => {
  it('points generators reached through resources at plaintext in a private directory, removed after', async () => {
    const original = readFileSync(join(tree, 'base/kustomization.yaml'), 'utf8');
    let seen: { envs: string[]; files: string[]; env: string; cert: string; modes: number[] } | undefined;
    const result = await withDecryptedSources(join(tree, 'overlay'), await context(), async () => {
      const generator = parse(readFileSync(join(tree, 'base/kustomization.yaml'), 'utf8')).secretGenerator[0];
      const env = generator.envs[0];
      const cert = generator.files[0].split('=')[1];
      seen = {
        envs: generator.envs,
        files: generator.files,
        env: readFileSync(env, 'utf8'),
        cert: readFileSync(cert, 'utf8'),
        modes: [statSync(dirname(env)).mode & 0o777, statSync(env).mode & 0o777],
      };
      return 'built';
    });
    assert.equal(result, 'built');
    assert.ok(seen);
    const [env, plain] = seen.envs;
    assert.equal(plain, 'plain.env', 'an unencrypted source is left as it is');
    assert.equal(seen.env, 'USER=app\nPASSWORD=env-secret\n');
    assert.deepEqual(seen.modes, [0o700, 0o600]);
    // The tree is the build's private copy of the repository, never the checkout itself.
    assert.match(relative(tree, env), /^\.kube-drift-sops-[^/]+\/[^/]+$/, 'plaintext in its own directory');
    assert.match(seen.files[0], /^tls\.crt=\//);
    assert.equal(seen.cert, 'pem-secret\n');
    // Afterwards: the directory is gone and the kustomization is as it was.
    assert.ok(!existsSync(dirname(env)));
    assert.equal(readFileSync(join(tree, 'base/kustomization.yaml'), 'utf8'), original);
  });

  it('cleans up when the build fails, and leaves sources encrypted when no key opens them', async () => {
    let dir = '';
    await assert.rejects(
      withDecryptedSources(join(tree, 'overlay'), await context(), async () => {
        dir = dirname(
          parse(readFileSync(join(tree, 'base/kustomization.yaml'), 'utf8')).secretGenerator[0].envs[0],
        );
        throw new Error('kustomize failed');
      }),
      /kustomize failed/,
    );
    assert.ok(dir && !existsSync(dir));
    const noKey: DecryptionContext = { keys: noKeys(), tree, fileName: (path) => relative(tree, path) };
    await withDecryptedSources(join(tree, 'overlay'), noKey, async () => {
      const generator = parse(readFileSync(join(tree, 'base/kustomization.yaml'), 'utf8')).secretGenerator[0];
      assert.deepEqual(generator.envs, ['app.env', 'plain.env']);
    });
  });

  it('never reads an encrypted file outside the repository through a symlink', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'kube-drift-outside-'));
    try {
      writeFileSync(
        join(outside, 'stolen.env'),
        kit.encrypt('TOKEN=outside\n', 'stolen.env', ['--age', kit.ageRecipient]),
      );
      write(
        'linked/kustomization.yaml',
        stringify({ secretGenerator: [{ name: 'x', envs: ['stolen.env'] }] }),
      );
      symlinkSync(join(outside, 'stolen.env'), join(tree, 'linked/stolen.env'));
      await withDecryptedSources(join(tree, 'linked'), await context(), async () => {
        const generator = parse(readFileSync(join(tree, 'linked/kustomization.yaml'), 'utf8'))
          .secretGenerator[0];
        assert.deepEqual(generator.envs, ['stolen.env']);
      });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses a tampered generator source, naming the file', async () => {
    const file = join(tree, 'base/app.env');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/^USER=ENC\[[^\n]*$/m, 'USER=intruder'));
    try {
      await assert.rejects(
        withDecryptedSources(join(tree, 'overlay'), await context(), async () => 'never'),
        /^Error: base\/app\.env: /,
      );
    } finally {
      writeFileSync(file, original);
    }
  });
});
