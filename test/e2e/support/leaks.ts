// Looks for secret values in everything a run let out: each value in the forms it could take
// on the way out (as is, base64 at every byte alignment, base64url, percent-encoded).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Artifact {
  /** Where it came from, e.g. `action PR run: stdout`, `emulator: POST /repos/.../comments`. */
  where: string;
  text: string;
}

export interface Needle {
  name: string;
  value: string;
}

/**
 * The forms a value takes when encoded, alone or inside a larger encoded blob: for base64,
 * the part of the encoding that does not depend on the bytes around the value, at each of
 * the three byte alignments.
 */
export function encodedForms(needle: Needle): Needle[] {
  const forms: Needle[] = [{ name: needle.name, value: needle.value }];
  const bytes = Buffer.from(needle.value, 'utf8');
  forms.push({ name: `${needle.name} (base64)`, value: bytes.toString('base64') });
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const encoded = padded.toString('base64');
    const start = offset === 0 ? 0 : 4;
    const end = Math.floor(padded.length / 3) * 4;
    const stable = encoded.slice(start, end);
    if (stable.length >= 12) {
      forms.push({ name: `${needle.name} (base64, offset ${offset})`, value: stable });
      forms.push({
        name: `${needle.name} (base64url, offset ${offset})`,
        value: stable.replace(/\+/g, '-').replace(/\//g, '_'),
      });
    }
  }
  const percent = encodeURIComponent(needle.value);
  if (percent !== needle.value) forms.push({ name: `${needle.name} (percent-encoded)`, value: percent });
  const json = JSON.stringify(needle.value).slice(1, -1);
  if (json !== needle.value) forms.push({ name: `${needle.name} (JSON-escaped)`, value: json });
  return dedupe(forms);
}

function dedupe(needles: Needle[]): Needle[] {
  const seen = new Set<string>();
  return needles.filter((n) => {
    if (seen.has(n.value)) return false;
    seen.add(n.value);
    return true;
  });
}

export interface Leak {
  where: string;
  needle: string;
  context: string;
}

export function findLeaks(artifacts: Artifact[], needles: Needle[]): Leak[] {
  const forms = needles.flatMap(encodedForms);
  const leaks: Leak[] = [];
  for (const artifact of artifacts) {
    for (const form of forms) {
      const at = artifact.text.indexOf(form.value);
      if (at < 0) continue;
      const context = artifact.text.slice(Math.max(0, at - 80), at + form.value.length + 40);
      leaks.push({ where: artifact.where, needle: form.name, context });
    }
  }
  return leaks;
}

export function describeLeaks(leaks: Leak[]): string {
  return leaks.map((l) => `${l.needle} in ${l.where}:\n    …${JSON.stringify(l.context)}…`).join('\n');
}

/** Every regular file under `dir`, as artifacts named `label/relative path`. */
export function filesUnder(
  dir: string,
  label: string,
  skip: (path: string) => boolean = () => false,
): Artifact[] {
  const artifacts: Artifact[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && !skip(path)) {
        artifacts.push({
          where: `${label}/${relative(dir, path)}`,
          text: readFileSync(path).toString('latin1'),
        });
      }
    }
  };
  walk(dir);
  return artifacts;
}
