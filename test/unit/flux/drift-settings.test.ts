import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fluxDriftSettings } from '../../../src/render/flux/drift-settings.ts';
import type { FluxGroup } from '../../../src/render/flux/index.ts';

describe('fluxDriftSettings', () => {
  const group = (name: string, extra: Partial<FluxGroup> = {}): FluxGroup => ({
    name,
    kind: 'HelmRelease',
    namespace: 'apps',
    suspended: false,
    dependsOn: [],
    ...extra,
  });

  it('skips disabled releases, reports warn ones only, diffs absent and enabled', () => {
    const settings = fluxDriftSettings([
      group('HelmRelease apps/absent'),
      group('HelmRelease apps/off', { driftDetection: 'disabled' }),
      group('HelmRelease apps/warn', { driftDetection: 'warn' }),
      group('HelmRelease apps/on', { driftDetection: 'enabled' }),
      group('HelmRelease apps/paused', { suspended: true, driftDetection: 'enabled' }),
    ]);
    assert.deepEqual(
      [...settings.skippedGroups],
      [
        ['HelmRelease apps/off', 'HelmRelease apps/off has spec.driftDetection.mode: disabled'],
        ['HelmRelease apps/paused', 'HelmRelease apps/paused is suspended'],
      ],
    );
    assert.deepEqual([...settings.reportOnlyGroups.keys()], ['HelmRelease apps/warn']);
  });

  it('keeps ignore rules per group, and names the group and rule of a bad one', () => {
    const settings = fluxDriftSettings([
      group('HelmRelease apps/on', { ignore: [{ paths: ['', '/spec/replicas'] }] }),
      group('Kustomization flux-system/apps', {
        kind: 'Kustomization',
        ignore: [{ paths: [''] }],
        ignoreOrigin: 'Kustomization flux-system/apps spec.ignore',
      }),
      group('HelmRelease apps/bad', {
        ignore: [{ paths: ['spec/replicas'] }],
        ignoreOrigin: 'HelmRelease apps/bad spec.driftDetection.ignore',
      }),
    ]);
    assert.deepEqual([...settings.groupIgnoreRules.keys()], ['HelmRelease apps/on']);
    assert.deepEqual(
      settings.errors.map((e) => e.object),
      ['Kustomization flux-system/apps', 'HelmRelease apps/bad'],
    );
    assert.match(settings.errors[0].message, /^Kustomization flux-system\/apps spec.ignore: rule 0: path ""/);
    assert.match(
      settings.errors[1].message,
      /^HelmRelease apps\/bad spec.driftDetection.ignore: rule 0: path "spec\/replicas"/,
    );
  });
});
