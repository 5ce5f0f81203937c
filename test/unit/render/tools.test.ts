import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.ts';
import { findTool } from '../../../src/render/index.ts';
import { displayCommand, toolEnvironment } from '../../../src/render/tools.ts';

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
