// Where an Application's chart source is fetched from, as Argo CD's repo-server reads repoURL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartLocation } from '../../../src/render/argocd/chart.ts';

test('an https repoURL is a chart repository; targetRevision is the version', () => {
  assert.deepEqual(
    chartLocation({
      repoURL: 'https://charts.bitnami.com/bitnami',
      chart: 'redis',
      targetRevision: '18.1.0',
    }),
    { type: 'repo', url: 'https://charts.bitnami.com/bitnami', chart: 'redis', version: '18.1.0' },
  );
});

test('oci:// and a bare registry host are OCI registries holding <path>/<chart>', () => {
  const expected = { type: 'oci', ref: 'oci://ghcr.io/org/charts/app', version: '1.2.3', insecure: false };
  assert.deepEqual(
    chartLocation({ repoURL: 'oci://ghcr.io/org/charts/', chart: 'app', targetRevision: '1.2.3' }),
    expected,
  );
  assert.deepEqual(
    chartLocation({ repoURL: 'ghcr.io/org/charts', chart: 'app', targetRevision: '1.2.3' }),
    expected,
  );
});

test('a loopback registry is spoken to over plain HTTP; no targetRevision means the latest', () => {
  assert.deepEqual(chartLocation({ repoURL: '127.0.0.1:5000/charts', chart: 'app' }), {
    type: 'oci',
    ref: 'oci://127.0.0.1:5000/charts/app',
    version: undefined,
    insecure: true,
  });
  assert.equal(
    (chartLocation({ repoURL: 'oci://localhost:5000/c', chart: 'a' }) as { insecure?: boolean }).insecure,
    true,
  );
});
