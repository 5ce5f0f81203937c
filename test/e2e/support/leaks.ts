// Looks for secret values in everything a run let out: each value in the forms it could take
// on the way out (as is, JSON-escaped, base64 at every byte alignment, base64url,
// percent-encoded), and reports where it was found without printing it.

import assert from 'node:assert/strict';
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
  /** The artifact, and the line in it. */
  where: string;
  needle: string;
  /** A few characters either side, long words masked, the value itself named `⟪needle⟫`. */
  context: string;
}

const CONTEXT_CHARS = 24;
/** Characters of a word, a base64 text or a URL path: what a secret (or a piece of one) is made of. */
const WORD_CHAR = /[A-Za-z0-9+/=_-]/;
/** Words at least this long are shown masked, and so is any visible piece of one. */
const LONG_WORD = 12;

/**
 * `text[from, to)` as a failure message may show it: short words as they are, every long
 * word (measured in the whole text, so that a word cut by the window still counts whole)
 * as `▒▒▒`. No secret, nor a piece of one, gets into the test's own output.
 */
function maskedSlice(text: string, from: number, to: number): string {
  let out = '';
  for (let i = Math.max(0, from); i < Math.min(to, text.length); ) {
    if (!WORD_CHAR.test(text[i])) {
      out += text[i++];
      continue;
    }
    let start = i;
    while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
    let end = i;
    while (end < text.length && WORD_CHAR.test(text[end])) end++;
    const stop = Math.min(end, to);
    out += end - start >= LONG_WORD ? '▒▒▒' : text.slice(i, stop);
    i = stop;
  }
  return out;
}

/**
 * Every place a form of a needle occurs in the artifacts (each artifact, each form, each
 * occurrence), named by artifact and line, with the context around it masked.
 */
export function findLeaks(artifacts: Artifact[], needles: Needle[]): Leak[] {
  const forms = needles.flatMap(encodedForms).sort((a, b) => b.value.length - a.value.length);
  const leaks: Leak[] = [];
  for (const artifact of artifacts) {
    for (const form of forms) {
      for (
        let at = artifact.text.indexOf(form.value);
        at >= 0;
        at = artifact.text.indexOf(form.value, at + 1)
      ) {
        const line = artifact.text.slice(0, at).split('\n').length;
        const end = at + form.value.length;
        const before = maskedSlice(artifact.text, at - CONTEXT_CHARS, at);
        const after = maskedSlice(artifact.text, end, end + CONTEXT_CHARS);
        const context = `…${before}⟪${form.name}⟫${after}…`;
        leaks.push({ where: `${artifact.where}, line ${line}`, needle: form.name, context });
      }
    }
  }
  return leaks;
}

/** Shown in full up to this many; the rest are counted. */
const DESCRIBED_LEAKS = 60;

export function describeLeaks(leaks: Leak[]): string {
  const lines = leaks
    .slice(0, DESCRIBED_LEAKS)
    .map((l) => `${l.needle} in ${l.where}: ${JSON.stringify(l.context)}`);
  if (leaks.length > DESCRIBED_LEAKS) lines.push(`… and ${leaks.length - DESCRIBED_LEAKS} more`);
  return lines.join('\n');
}

/**
 * Fails naming each place a needle was found (in any encoding), without printing the
 * secret itself. The one check every canary test makes.
 */
export function assertNoLeaks(artifacts: Artifact[], needles: Needle[], what: string): void {
  if (artifacts.length === 0) assert.fail(`${what}: nothing to search (no output was collected)`);
  const leaks = findLeaks(artifacts, needles);
  if (leaks.length === 0) return;
  const places = new Map<string, Set<string>>();
  for (const leak of leaks) {
    const place = leak.where.replace(/, line \d+$/, '');
    places.set(place, (places.get(place) ?? new Set()).add(leak.needle));
  }
  const summary = [...places].map(([place, found]) => `  ${place}: ${[...found].join(', ')}`);
  assert.fail(
    `${what}: found ${leaks.length} time(s) in ${places.size} of ${artifacts.length} outputs searched:\n` +
      `${summary.join('\n')}\nwhere, with a little context:\n${describeLeaks(leaks)}`,
  );
}

/** Lines shorter than this could turn up by chance in any base64 text. */
const MIN_PEM_LINE = 16;

/** A PEM block as needles: the whole text, and each line of its body on its own. */
export function pemNeedles(name: string, pem: string): Needle[] {
  const needles: Needle[] = [{ name, value: pem }];
  pem.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.length >= MIN_PEM_LINE && !line.startsWith('-----'))
      needles.push({ name: `${name} line ${i + 1}`, value: line });
  });
  return needles;
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
