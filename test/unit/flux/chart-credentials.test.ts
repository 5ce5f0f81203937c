import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.ts';
import {
  credentialFor,
  dockerConfigCredentials,
  parseChartCredentials,
} from '../../../src/render/flux/chart-credentials.ts';

describe('chart credentials', () => {
  it('parse host=username:password, the password keeping its own : and =', () => {
    assert.deepEqual(parseChartCredentials(['GHCR.io=me:a:b=c', 'charts.example:8443=u:p'], 'x'), [
      { host: 'ghcr.io', username: 'me', password: 'a:b=c' },
      { host: 'charts.example:8443', username: 'u', password: 'p' },
    ]);
  });

  it('refuse an entry of another shape without repeating it', () => {
    for (const entry of ['just-a-token-s3cr3t', 'https://ghcr.io=u:s3cr3t', 'ghcr.io=s3cr3t'])
      assert.throws(
        () => parseChartCredentials([entry], 'input "chart-credentials"'),
        (e: unknown) =>
          e instanceof InputError &&
          /not host=username:password/.test(e.message) &&
          !e.message.includes('s3cr3t'),
      );
  });

  it('read a docker config: auth, or username and password, by bare host', () => {
    const config = JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('d:pw1').toString('base64') },
        'ghcr.io': { username: 'g', password: 'pw2' },
      },
    });
    assert.deepEqual(dockerConfigCredentials(config, 'config.json'), [
      { host: 'index.docker.io', username: 'd', password: 'pw1' },
      { host: 'ghcr.io', username: 'g', password: 'pw2' },
    ]);
  });

  it('go only to the exact host (and port) they were given for', () => {
    const given = [{ host: 'ghcr.io', username: 'u', password: 'p' }];
    assert.equal(credentialFor(given, 'oci://ghcr.io/org/charts/app')?.password, 'p');
    assert.equal(credentialFor(given, 'https://GHCR.IO/index.yaml')?.password, 'p');
    for (const url of [
      'oci://ghcr.io.evil.example/charts/app',
      'oci://evil.example/ghcr.io/app',
      'https://ghcr.io:8443/charts',
      'oci://u@evil.example/ghcr.io',
      'not a url',
    ])
      assert.equal(credentialFor(given, url), undefined, url);
  });
});
