// Files a run leaves for users and later steps (the JSON report): written only from Redacted text.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Redacted } from '../redaction.ts';

export function writeOutputFile(path: string, text: Redacted): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
