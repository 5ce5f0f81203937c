// image-change: every container image the apply changes, per workload and container, from → to (info).

import { parsePointer } from '../drift/jsondiff.ts';
import { draftFor, type ObjectView, type RiskContext, type RiskDraft } from './context.ts';
import { afterAt, changedFields, escapePattern, podSpecPointer } from './fields.ts';

export interface ImageChange {
  container: string;
  from?: string;
  to: string;
  pointer: string;
}

/** The images a view's changes set, container by container (a new workload: every image, no `from`). */
export function imageChanges(view: ObjectView): ImageChange[] {
  const podSpec = podSpecPointer(view.ref);
  if (!podSpec || view.entry.action === 'unchanged' || view.entry.action === 'skipped') return [];
  const pattern = new RegExp(`^${escapePattern(podSpec)}/(?:initContainers|containers)/\\d+/image$`);
  const out: ImageChange[] = [];
  for (const field of changedFields(view.changes, pattern)) {
    if (typeof field.after !== 'string' || field.after === field.before) continue;
    const containerPointer = field.pointer.slice(0, -'/image'.length);
    const name = afterAt(field, `${containerPointer}/name`, view.live);
    const change: ImageChange = {
      container: typeof name === 'string' ? name : (parsePointer(containerPointer).pop() ?? '?'),
      to: field.after,
      pointer: field.pointer,
    };
    if (typeof field.before === 'string') change.from = field.before;
    out.push(change);
  }
  return out;
}

export function checkImageChanges(context: RiskContext): RiskDraft[] {
  const drafts: RiskDraft[] = [];
  for (const view of context.objects)
    for (const change of imageChanges(view)) {
      const message = change.from
        ? `container ${change.container}: image ${change.from} → ${change.to}`
        : `container ${change.container}: image ${change.to} (new)`;
      const draft = draftFor(context, view, message, [change.pointer]);
      draft.image = { container: change.container, to: change.to };
      if (change.from) draft.image.from = change.from;
      drafts.push(draft);
    }
  return drafts;
}
