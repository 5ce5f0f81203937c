// The on-disk cache of compacted OpenAPI documents: content-addressed URLs only, one server's
// documents never answer for another's, a damaged file is a miss, and only a directory of the
// user's own is used.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OpenApiDocument } from '../../../src/kube/openapi.ts';
import { openApiCache } from '../../../src/kube/openapi-cache.ts';

const SERVER = 'https://127.0.0.1:6443';
const URL_V1 = '/openapi/v3/api/v1?hash=ABC123';
const document: OpenApiDocument = {
  components: {
    schemas: {
      'io.k8s.api.core.v1.ServicePort': { type: 'object', properties: { port: { type: 'integer' } } },
    },
  },
};

describe('openApiCache', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'kube-drift-openapi-cache-unit-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const env = (name: string) => ({ KUBE_DRIFT_CACHE_DIR: join(tmp, name) });
  const files = (name: string) =>
    readdirSync(join(tmp, name), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());

  it('gives back a document written under its URL, from a new cache too, in a directory made 0700', () => {
    openApiCache(SERVER, env('round-trip'))!.write(URL_V1, document);
    assert.deepEqual(openApiCache(SERVER, env('round-trip'))!.read(URL_V1), document);
    assert.equal(openApiCache(SERVER, env('round-trip'))!.read('/openapi/v3/api/v1?hash=OTHER'), undefined);
    const [file] = files('round-trip');
    assert.equal(statSync(file.parentPath).mode & 0o777, 0o700);
    assert.equal(statSync(join(file.parentPath, file.name)).mode & 0o777, 0o600);
  });

  it("never answers for another server's documents", () => {
    openApiCache(SERVER, env('servers'))!.write(URL_V1, document);
    assert.equal(openApiCache('https://10.0.0.1:6443', env('servers'))!.read(URL_V1), undefined);
  });

  it('keeps nothing for a URL without the hash of its content', () => {
    const cache = openApiCache(SERVER, env('no-hash'))!;
    cache.write('/openapi/v3/api/v1', document);
    assert.equal(cache.read('/openapi/v3/api/v1'), undefined);
    assert.deepEqual(files('no-hash'), []);
  });

  it('takes a damaged or foreign file for a miss', () => {
    openApiCache(SERVER, env('damaged'))!.write(URL_V1, document);
    const [file] = files('damaged');
    writeFileSync(join(file.parentPath, file.name), '{"components": ');
    assert.equal(openApiCache(SERVER, env('damaged'))!.read(URL_V1), undefined);
    writeFileSync(join(file.parentPath, file.name), '{"components": {"schemas": []}}');
    assert.equal(openApiCache(SERVER, env('damaged'))!.read(URL_V1), undefined);
  });

  it('is off with KUBE_DRIFT_CACHE_DIR=off, and when others may write to its directory', () => {
    assert.equal(openApiCache(SERVER, { KUBE_DRIFT_CACHE_DIR: 'off' }), undefined);
    openApiCache(SERVER, env('shared'))!.write(URL_V1, document);
    const [file] = files('shared');
    chmodSync(file.parentPath, 0o777);
    assert.equal(openApiCache(SERVER, env('shared')), undefined);
    mkdirSync(join(tmp, 'file-in-the-way'));
    writeFileSync(join(tmp, 'file-in-the-way', 'openapi-v3-compact-1'), 'not a directory');
    assert.equal(openApiCache(SERVER, env('file-in-the-way')), undefined);
  });
});
