import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployment, obj, planned, review } from './support.ts';

describe('image-change', () => {
  it('one info finding per container whose image changes, with the images table row', async () => {
    const result = await review({
      objects: [
        planned({
          desired: deployment('web', {
            initContainers: [{ name: 'migrate', image: 'web:2' }],
            containers: [
              { name: 'web', image: 'web:2' },
              { name: 'proxy', image: 'envoy:1.30' },
              { name: 'new', image: 'cache:7' },
            ],
          }),
          live: deployment('web', {
            initContainers: [{ name: 'migrate', image: 'web:1' }],
            containers: [
              { name: 'web', image: 'web:1' },
              { name: 'proxy', image: 'envoy:1.30' },
            ],
          }),
        }),
        planned({
          desired: obj('CronJob', 'report', {
            spec: {
              jobTemplate: {
                spec: { template: { spec: { containers: [{ name: 'r', image: 'report:5' }] } } },
              },
            },
          }),
          live: null,
        }),
      ],
    });
    const images = result.findings.filter((f) => f.rule === 'image-change');
    assert.deepEqual(
      images.map((f) => [f.severity, f.subject, f.message, f.image]),
      [
        [
          'info',
          'CronJob/app/report',
          'container r: image report:5 (new)',
          { container: 'r', to: 'report:5' },
        ],
        [
          'info',
          'Deployment/app/web',
          'container migrate: image web:1 → web:2',
          { container: 'migrate', from: 'web:1', to: 'web:2' },
        ],
        [
          'info',
          'Deployment/app/web',
          'container new: image cache:7 (new)',
          { container: 'new', to: 'cache:7' },
        ],
        [
          'info',
          'Deployment/app/web',
          'container web: image web:1 → web:2',
          { container: 'web', from: 'web:1', to: 'web:2' },
        ],
      ],
    );
  });

  it('nothing when no image changes', async () => {
    const same = deployment('web', { containers: [{ name: 'web', image: 'web:1', args: ['-v'] }] });
    const live = deployment('web', { containers: [{ name: 'web', image: 'web:1' }] });
    const result = await review({ objects: [planned({ desired: same, live })] });
    assert.deepEqual(
      result.findings.filter((f) => f.rule === 'image-change'),
      [],
    );
  });
});
