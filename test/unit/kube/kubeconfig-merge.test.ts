// KUBECONFIG lists merged with kubectl's rules: first file wins per name (whole entries),
// current-context from the first file that sets it, missing and empty files skipped.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { kubeconfigPaths, mergeKubeconfigFiles } from '../../../src/kube/kubeconfig-merge.ts';

interface Entries {
  clusters?: Array<[string, Record<string, unknown>]>;
  users?: Array<[string, Record<string, unknown>]>;
  contexts?: Array<[string, { cluster: string; user: string; namespace?: string }]>;
  current?: string;
}

/** A kubeconfig as YAML (JSON is YAML). */
function kubeconfig(entries: Entries): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: (entries.clusters ?? []).map(([name, cluster]) => ({ name, cluster })),
    users: (entries.users ?? []).map(([name, user]) => ({ name, user })),
    contexts: (entries.contexts ?? []).map(([name, context]) => ({ name, context })),
    ...(entries.current ? { 'current-context': entries.current } : {}),
  });
}

describe('KUBECONFIG merge', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-drift-kubeconfig-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes each cluster, user and context whole from the first file that names it', () => {
    const first = file(
      'first',
      kubeconfig({
        clusters: [['shared', { server: 'https://first:6443' }]],
        users: [['admin', { token: 'first-token' }]],
        contexts: [['work', { cluster: 'shared', user: 'admin' }]],
      }),
    );
    const second = file(
      'second',
      kubeconfig({
        clusters: [
          ['shared', { server: 'https://second:6443', 'insecure-skip-tls-verify': true }],
          ['other', { server: 'https://other:6443' }],
        ],
        users: [
          ['admin', { token: 'second-token', username: 'root' }],
          ['guest', { token: 'guest-token' }],
        ],
        contexts: [
          ['work', { cluster: 'other', user: 'guest', namespace: 'x' }],
          ['play', { cluster: 'other', user: 'guest' }],
        ],
        current: 'play',
      }),
    );
    const { config } = mergeKubeconfigFiles([first, second]);
    const shared = config.getCluster('shared');
    assert.equal(shared?.server, 'https://first:6443');
    // Not merged field by field: the second file's extra field on `shared` is dropped with it.
    assert.equal(shared?.skipTLSVerify, false);
    assert.equal(config.getCluster('other')?.server, 'https://other:6443');
    assert.equal(config.getUser('admin')?.token, 'first-token');
    assert.equal(config.getUser('admin')?.username, undefined);
    assert.equal(config.getUser('guest')?.token, 'guest-token');
    const work = config.getContextObject('work');
    assert.deepEqual([work?.cluster, work?.user, work?.namespace], ['shared', 'admin', undefined]);
    assert.deepEqual(
      config.getContexts().map((c) => c.name),
      ['work', 'play'],
    );
    // The first file sets no current-context, so the second's is used.
    assert.equal(config.getCurrentContext(), 'play');
  });

  it('takes current-context from the first file that sets one', () => {
    const a = file('a', kubeconfig({ current: 'from-a' }));
    const b = file('b', kubeconfig({ current: 'from-b' }));
    assert.equal(mergeKubeconfigFiles([a, b]).config.getCurrentContext(), 'from-a');
    assert.equal(mergeKubeconfigFiles([b, a]).config.getCurrentContext(), 'from-b');
  });

  it('skips missing files and reads empty ones as empty, as kubectl does', () => {
    const empty = file('empty', '');
    const comments = file('comments', '# nothing here yet\n');
    const real = file(
      'real',
      kubeconfig({
        clusters: [['c', { server: 'https://real:6443' }]],
        users: [['u', { token: 't' }]],
        contexts: [['ctx', { cluster: 'c', user: 'u' }]],
        current: 'ctx',
      }),
    );
    const missing = join(dir, 'does-not-exist');
    const merged = mergeKubeconfigFiles([missing, empty, comments, real]);
    assert.deepEqual(merged.missing, [missing]);
    assert.deepEqual(merged.loaded, [empty, comments, real]);
    assert.equal(merged.config.getCurrentCluster()?.server, 'https://real:6443');
  });

  it('makes relative certificate paths absolute to the file that names them', () => {
    mkdirSync(join(dir, 'nested'), { recursive: true });
    const nested = file(
      'nested/config',
      kubeconfig({
        clusters: [['c', { server: 'https://n:6443', 'certificate-authority': 'ca.crt' }]],
        users: [['u', { 'client-certificate': 'certs/me.crt', 'client-key': '/abs/me.key' }]],
      }),
    );
    const { config } = mergeKubeconfigFiles([nested]);
    assert.equal(config.getCluster('c')?.caFile, join(dir, 'nested', 'ca.crt'));
    assert.equal(config.getUser('u')?.certFile, join(dir, 'nested', 'certs', 'me.crt'));
    assert.equal(config.getUser('u')?.keyFile, '/abs/me.key');
  });

  it('names a file that is not a kubeconfig', () => {
    const bad = file('bad', 'clusters: [ {name: x, cluster: {server: "https://x"}\n');
    assert.throws(
      () => mergeKubeconfigFiles([bad]),
      (error: Error) => error.message.includes(`kubeconfig ${bad}`),
    );
  });

  it('splits on the OS delimiter, drops empty entries and repeats', () => {
    assert.deepEqual(kubeconfigPaths('a::b:a:', ':'), ['a', 'b']);
    assert.deepEqual(kubeconfigPaths('C:\\k\\a;;C:\\k\\b', ';'), ['C:\\k\\a', 'C:\\k\\b']);
  });

  it('loadKubeconfig uses the merged KUBECONFIG, and says when none of its files exist', () => {
    const one = file(
      'one',
      kubeconfig({
        clusters: [['c', { server: 'https://one:6443/' }]],
        users: [['u', { token: 't' }]],
        contexts: [['ctx', { cluster: 'c', user: 'u' }]],
      }),
    );
    const two = file('two', kubeconfig({ current: 'ctx' }));
    const loaded = loadKubeconfig({}, { KUBECONFIG: `${join(dir, 'gone')}:${one}:${two}` });
    assert.equal(loaded.server, 'https://one:6443');
    assert.equal(loaded.context, 'ctx');
    assert.throws(
      () => loadKubeconfig({}, { KUBECONFIG: `${join(dir, 'gone')}:${join(dir, 'gone2')}` }),
      /KUBECONFIG names no file that exists \(.*gone, .*gone2\)/,
    );
  });
});
