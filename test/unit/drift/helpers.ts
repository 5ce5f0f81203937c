import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeObject } from '../../../src/model.ts';

export function fixture(name: string): KubeObject {
  return parse(readFileSync(new URL(`../../fixtures/drift/${name}`, import.meta.url), 'utf8')) as KubeObject;
}

/** Reads the value at an RFC 6901 pointer, or undefined. */
export function valueAt(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let value: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, token)) return undefined;
    value = (value as Record<string, unknown>)[token];
  }
  return value;
}
