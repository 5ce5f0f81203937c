// The server's OpenAPI v3 documents, compacted, kept on the user's disk between runs, as kubectl
// keeps its discovery and OpenAPI answers in ~/.kube/cache. The index at /openapi/v3 names each
// document with a hash of its content, so a document cached under its URL never goes stale: a
// changed schema (a CRD upgraded) has another hash, and another file. A run then reads the
// index and takes from disk the documents it has seen before, instead of fetching, parsing and
// compacting megabytes of JSON (bench/RESULTS.md, "seventh stop").
//
// What is cached decides how lists are compared, so only a directory of the user's own is used:
// made 0700, and skipped when another user owns it or others may write to it (as the compile
// cache, own-directory.ts). KUBE_DRIFT_CACHE_DIR moves it; KUBE_DRIFT_CACHE_DIR=off turns it off.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ownDirectory } from '../own-directory.ts';
import type { OpenApiDocument } from './openapi.ts';

/** Named with the format of what is stored: a change of compactDocument changes the name. */
const SUBDIRECTORY = 'openapi-v3-compact-1';

export interface OpenApiCache {
  /** The compacted document cached for this server-relative URL (with its `?hash=`), if any. */
  read(url: string): OpenApiDocument | undefined;
  write(url: string, document: OpenApiDocument): void;
}

/** The cache for documents of `server`, or undefined when turned off or no safe directory. */
export function openApiCache(server: string, env: NodeJS.ProcessEnv = process.env): OpenApiCache | undefined {
  const base = cacheBase(env);
  if (!base) return undefined;
  const directory = ownDirectory(join(base, SUBDIRECTORY), { parents: true });
  if (!directory) return undefined;
  const fileOf = (url: string) =>
    join(directory, `${createHash('sha256').update(`${server}\n${url}`).digest('hex').slice(0, 40)}.json`);
  // Read ahead, then read again by the plan: the file is parsed once.
  const read = new Map<string, OpenApiDocument | undefined>();
  return {
    read(url) {
      if (!url.includes('hash=')) return undefined;
      if (!read.has(url)) read.set(url, readDocument(fileOf(url)));
      return read.get(url);
    },
    write(url, document) {
      // Only content-addressed documents: without the hash a URL's answer may change.
      if (!url.includes('hash=')) return;
      const file = fileOf(url);
      const partial = `${file}.${process.pid}.partial`;
      try {
        // Whole or not at all: a run reading while another writes never sees half a document.
        writeFileSync(partial, JSON.stringify(document), { mode: 0o600 });
        renameSync(partial, file);
      } catch {
        rmSync(partial, { force: true });
      }
    },
  };
}

function readDocument(file: string): OpenApiDocument | undefined {
  try {
    const document = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
    const schemas = document?.components?.schemas;
    return typeof schemas === 'object' && schemas !== null && !Array.isArray(schemas) ? document : undefined;
  } catch {
    return undefined;
  }
}

function cacheBase(env: NodeJS.ProcessEnv): string | undefined {
  const chosen = env.KUBE_DRIFT_CACHE_DIR;
  if (chosen === 'off') return undefined;
  if (chosen) return chosen;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'kube-drift');
  const home = env.HOME ?? homedir();
  return home ? join(home, '.cache', 'kube-drift') : undefined;
}
