import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.ts';
import { findTool } from '../../../src/render/index.ts';
import { collectManifests } from '../../../src/render/manifests.ts';
import {
  displayCommand,
  lastDocumentStart,
  runToolDocuments,
  toolEnvironment,
} from '../../../src/render/tools.ts';

describe('findTool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-tools-'));
  const fake = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
    return path;
  };
  const onPath = fake('helm');
  const cache = join(dir, 'cache');

  it('prefers the KUBE_DRIFT_<TOOL> variable, then PATH, then the cache', () => {
    mkdirSync(join(cache, 'bin'), { recursive: true });
    const cached = join(cache, 'bin', 'kustomize');
    writeFileSync(cached, '#!/bin/sh\n');
    chmodSync(cached, 0o755);
    const explicit = fake('my-helm');
    assert.equal(findTool('helm', { KUBE_DRIFT_HELM: explicit, PATH: dir }), explicit);
    assert.equal(findTool('helm', { PATH: dir }), onPath);
    assert.equal(findTool('kustomize', { PATH: '/nonexistent', KUBE_DRIFT_CACHE: cache }), cached);
  });

  it('says how to get a missing tool', () => {
    assert.throws(
      () => findTool('helm', { PATH: '/nonexistent', KUBE_DRIFT_CACHE: join(dir, 'empty') }),
      (error: unknown) =>
        error instanceof InputError &&
        error.message === `helm was not found on PATH nor in ${join(dir, 'empty', 'bin')}` &&
        error.hint ===
          'install Helm (https://helm.sh/docs/intro/install/, or `go install helm.sh/helm/v3/cmd/helm@latest`), or set KUBE_DRIFT_HELM to its path.',
    );
  });

  it('names the variable when it points at nothing', () => {
    assert.throws(() => findTool('kubectl', { KUBE_DRIFT_KUBECTL: '/no/such/kubectl', PATH: dir }), {
      message: 'KUBE_DRIFT_KUBECTL is set to /no/such/kubectl, which is not an executable file',
    });
  });
});

describe('displayCommand', () => {
  const cases: [string[], string][] = [
    [
      ['template', 'r', 'chart', '--set', 'password=hunter2,user=me'],
      'helm template r chart --set password=***,user=***',
    ],
    [['template', 'r', 'chart', '--set-string=token=abc'], 'helm template r chart --set-string=token=***'],
    [['template', 'r', 'my chart'], "helm template r 'my chart'"],
  ];
  for (const [args, want] of cases) {
    it(want, () => assert.equal(displayCommand('helm', args), want));
  }
});

describe('toolEnvironment', () => {
  it('keeps PATH, HOME, proxies, tool config, temp and TLS locations; drops everything else', () => {
    const env = {
      PATH: '/bin',
      HOME: '/home/u',
      https_proxy: 'http://proxy:3128',
      NO_PROXY: 'localhost',
      HELM_CACHE_HOME: '/c',
      XDG_CONFIG_HOME: '/x',
      TMPDIR: '/t',
      SSL_CERT_FILE: '/ca.pem',
      INPUT_KUBECONFIG: 'secret',
      GITHUB_TOKEN: 'secret',
      ACTIONS_RUNTIME_TOKEN: 'secret',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'secret',
      KUBECONFIG: '/k',
      KUBE_DRIFT_HELM: '/h',
      AWS_SECRET_ACCESS_KEY: 'secret',
      GITHUB_WORKSPACE: '/w',
    };
    assert.deepEqual(toolEnvironment(env), {
      PATH: '/bin',
      HOME: '/home/u',
      https_proxy: 'http://proxy:3128',
      NO_PROXY: 'localhost',
      HELM_CACHE_HOME: '/c',
      XDG_CONFIG_HOME: '/x',
      TMPDIR: '/t',
      SSL_CERT_FILE: '/ca.pem',
    });
  });
});

describe('lastDocumentStart', () => {
  it('finds the last line that starts a document, and none that may still grow', () => {
    assert.equal(lastDocumentStart('a: 1\n---\nb: 2\n--- \nc: 3\n'), 14);
    assert.equal(lastDocumentStart('a: 1\r\n---\r\nb: 2\n'), 6);
    assert.equal(lastDocumentStart('a: 1\n---\tx\n'), 5);
    // `---` at the end of what arrived: its line may go on (`---x` is not a document start).
    assert.equal(lastDocumentStart('a: 1\n---\nb: 2\n---'), 5);
    // Not at a line start, or followed by more than the marker.
    assert.equal(lastDocumentStart('a: "x---"\nb: |\n  ---\n'), -1);
    assert.equal(lastDocumentStart('a: 1\n----\n---x\n'), -1);
    assert.equal(lastDocumentStart('---\na: 1\n'), -1);
  });
});

describe('runToolDocuments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-drift-tool-docs-'));
  // 3,000 documents, about 1 MB, with characters of 2, 3 and 4 bytes that chunks of the pipe
  // split wherever they fall.
  const documents = Array.from(
    { length: 3000 },
    (_, i) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  text: "caf\u00e9 \u2603 \u{1f600} ${'y'.repeat(i % 300)}"\n  block: |\n    ---not a start\n    line ${i}\n`,
  );
  const output = `${documents.join('---\n')}`;
  const file = join(dir, 'out.yaml');
  writeFileSync(file, output);

  it('hands on whole documents as they arrive, which together are the output', async () => {
    const pieces: string[] = [];
    const run = await runToolDocuments('cat', [file], dir, (text) => pieces.push(text));
    assert.equal(run.exitCode, 0);
    assert.equal(run.stdout, '');
    assert.ok(pieces.length > 2, `${pieces.length} pieces`);
    assert.equal(pieces.join(''), output);
    for (const piece of pieces.slice(1)) assert.match(piece, /^---\n/);
    const objects = pieces.flatMap((piece) => collectManifests(piece, 'out').objects.map((d) => d.object));
    assert.deepEqual(
      objects,
      collectManifests(output, 'out').objects.map((d) => d.object),
    );
    assert.equal(objects.length, 3000);
  });

  it('reports a failed run with its stderr, and an error thrown by the reader', async () => {
    const failed = await runToolDocuments(
      'sh',
      ['-c', 'echo "a: 1"; echo broken >&2; exit 3'],
      dir,
      () => {},
    );
    assert.equal(failed.exitCode, 3);
    assert.equal(failed.stderr, 'broken\n');
    const threw = await runToolDocuments('cat', [file], dir, () => {
      throw new Error('no room');
    });
    assert.equal(threw.exitCode, null);
    assert.equal(threw.spawnError, 'reading its output failed: no room');
  });
});
