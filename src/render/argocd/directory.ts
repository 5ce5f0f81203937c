// An Application's `directory` source: the manifest files of its path as Argo CD reads them
// (`.yaml`, `.yml`, `.json`; subdirectories only with `recurse`; `include` and `exclude` globs).
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type Confinement, describeViolation, escapes } from '../confine.ts';
import { collectManifests, type ParsedManifests } from '../manifests.ts';
import { globMatch } from './glob.ts';
import type { ApplicationSource } from './types.ts';

const MANIFEST_FILE = /\.(ya?ml|json|jsonnet)$/;

/** The files Argo CD reads from `dir` for a `directory` source (Jsonnet too), sorted by relative path. */
export function directoryFiles(dir: string, options: ApplicationSource['directory'] = {}): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    const children = readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const child of children) {
      const path = join(current, child.name);
      const isDir =
        child.isDirectory() ||
        (child.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isDirectory());
      if (isDir) {
        if (options.recurse && child.name !== '.git') walk(path);
        continue;
      }
      if (!MANIFEST_FILE.test(child.name)) continue;
      const rel = relative(dir, path).split(sep).join('/');
      if (options.include && !globMatch(options.include, rel)) continue;
      if (options.exclude && globMatch(options.exclude, rel)) continue;
      files.push(path);
    }
  };
  walk(dir);
  return files;
}

/** The objects of a `directory` source, each with its file and line. */
export async function collectDirectory(
  dir: string,
  options: ApplicationSource['directory'],
  confine: Confinement,
  group: string,
): Promise<ParsedManifests & { notes: string[] }> {
  const result: ParsedManifests & { notes: string[] } = { objects: [], problems: [], notes: [] };
  const jsonnet: string[] = [];
  for (const path of directoryFiles(dir, options)) {
    const file = confine.name(path);
    if (path.endsWith('.jsonnet')) {
      jsonnet.push(file);
      continue;
    }
    const outside = escapes(confine, path);
    if (outside) {
      result.problems.push({
        file,
        message: describeViolation({ file, field: 'file', path: file, reason: outside }),
      });
      continue;
    }
    const parsed = collectManifests(await readFile(path, 'utf8'), file, { group });
    // Argo CD skips YAML that holds no Kubernetes object (no apiVersion and kind) in a directory.
    if (parsed.foreign) continue;
    result.objects.push(...parsed.objects);
    result.problems.push(...parsed.problems);
  }
  if (jsonnet.length > 0)
    result.notes.push(`${group}: ${jsonnet.join(', ')} not rendered: kube-drift does not evaluate Jsonnet`);
  return result;
}
