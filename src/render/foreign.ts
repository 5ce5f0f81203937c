// Telling YAML that is plainly not Kubernetes (compose files, mkdocs.yml, package.json) from a broken manifest.

/** How many skipped files one notice names before it says how many more. */
export const NOTICE_FILE_LIMIT = 10;

/**
 * True for a document no one meant as a Kubernetes object: a mapping with neither
 * `apiVersion` nor `kind`, or a sequence or scalar. A mapping with either key is a manifest,
 * broken or not: skipping it would silently drop an object from the desired set (and from
 * what prune keeps). Empty documents are neither: they are skipped everywhere already.
 */
export function isForeignDocument(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value !== 'object' || Array.isArray(value)) return true;
  return !('apiVersion' in value) && !('kind' in value);
}

/** The one notice for files skipped while walking a directory, their list capped. */
export function skippedFilesNotice(files: string[]): string {
  const shown = files.slice(0, NOTICE_FILE_LIMIT).join(', ');
  const more = files.length > NOTICE_FILE_LIMIT ? ` and ${files.length - NOTICE_FILE_LIMIT} more` : '';
  const count = files.length === 1 ? '1 YAML/JSON file' : `${files.length} YAML/JSON files`;
  return `skipped ${count} with no apiVersion and no kind (not Kubernetes manifests): ${shown}${more}. Set strict to make these errors.`;
}
