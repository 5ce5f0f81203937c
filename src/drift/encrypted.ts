// Secrets whose values Git holds encrypted with no key to open them: compared by metadata and
// key names only, with the live values standing in for the unknown ones.
import { type KubeObject, NOT_COMPARED_NO_KEY } from '../model.ts';

/**
 * The Secret to dry-run: each key Git names takes the live value (an empty one when the
 * cluster lacks the key, which is drift either way), so values never show as changed.
 */
export function withLiveValues(object: KubeObject, live: KubeObject | null): KubeObject {
  const names = [
    ...Object.keys((object.data as Record<string, string> | undefined) ?? {}),
    ...Object.keys((object.stringData as Record<string, string> | undefined) ?? {}),
  ];
  const liveData = (live?.data as Record<string, string> | undefined) ?? {};
  const result: KubeObject = { ...object, metadata: object.metadata };
  delete result.stringData;
  delete result.data;
  if (names.length > 0) result.data = Object.fromEntries(names.map((name) => [name, liveData[name] ?? '']));
  return result;
}

/**
 * A Secret encrypted whole (its name too) that no key opens could be any Secret that would
 * otherwise be deleted: those are kept and reported not compared, never deleted.
 */
export function keepUnidentifiedSecrets(
  deletions: { ref: { kind: string; group: string }; entry: { action: string; note?: string } }[],
  files: string[],
): void {
  for (const { ref, entry } of deletions) {
    if (entry.action !== 'deleted' || ref.kind !== 'Secret' || ref.group !== '') continue;
    entry.action = 'skipped';
    entry.note = `${NOT_COMPARED_NO_KEY}: it may be the Secret encrypted whole in ${[...files].sort().join(', ')}`;
  }
}
