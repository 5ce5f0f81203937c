// Reports for GitHub publishing tests, built through the report stage's own buildReport.

import type { ChangeSet, ChangeSetEntry, PlanError } from '../../../src/model.ts';
import type { Report } from '../../../src/report/model.ts';
import { buildReport } from '../../../src/report/model.ts';

export function configuredEntry(index: number, diffLines = 4): ChangeSetEntry {
  const name = `app-${index}`;
  const diff = [
    `--- live`,
    `+++ git`,
    ...Array.from({ length: diffLines }, (_, line) => `-  replicas: ${line}\n+  replicas: ${line + 1}`),
  ].join('\n');
  return {
    ref: { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name },
    action: 'configured',
    source: { file: `deploy/${name}.yaml`, line: 1 + (index % 7) },
    changes: [{ path: '/spec/replicas', before: 2, after: 3 }],
    diff,
  };
}

export function unchangedEntry(index: number): ChangeSetEntry {
  return {
    ref: { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'shop', name: `settings-${index}` },
    action: 'unchanged',
    source: { file: `deploy/settings-${index}.yaml`, line: 1 },
    changes: [],
    diff: '',
  };
}

export function makeReport(
  options: {
    drifted?: number;
    unchanged?: number;
    errors?: PlanError[];
    generatedAt?: string;
    target?: string;
    diffLines?: number;
    mode?: 'diff' | 'apply';
  } = {},
): Report {
  const changeSet: ChangeSet = {
    target: options.target ?? 'production',
    entries: [
      ...Array.from({ length: options.drifted ?? 0 }, (_, i) => configuredEntry(i, options.diffLines)),
      ...Array.from({ length: options.unchanged ?? 1 }, (_, i) => unchangedEntry(i)),
    ],
    errors: options.errors ?? [],
  };
  return buildReport(changeSet, {
    target: changeSet.target,
    mode: options.mode ?? 'diff',
    generatedAt: options.generatedAt ?? '2025-01-01T00:00:00Z',
    kubeDriftVersion: '0.1.0-test',
  });
}
