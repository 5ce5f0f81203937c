import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { blockDocument } from '../../../src/render/block-yaml.ts';
import { documentParts, eventDocuments } from '../../../src/render/fast-yaml.ts';

// Whatever the block parser returns must be what js-yaml's event parser returns for the same
// part, value and offset; anything else it must leave to the event parser (undefined).
function agrees(part: string, label: string): boolean {
  const block = blockDocument(part);
  if (block === undefined) return false;
  const events = eventDocuments(part);
  assert.ok(events, `${label}: the block parser took a part the event parser refuses:\n${part}`);
  assert.equal(events.length, 1, `${label}: ${events.length} documents by the event parser`);
  assert.deepEqual(block.value, events[0].value, `${label}:\n${part}`);
  assert.equal(block.offset, events[0].offset, `${label}: offset`);
  return true;
}

describe('block YAML parser', () => {
  it('agrees with the event parser on every YAML file of the fixtures and examples', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.ya?ml$/.test(name)) files.push(path);
      }
    };
    for (const dir of ['../../fixtures', '../../../examples'])
      walk(fileURLToPath(new URL(dir, import.meta.url)));
    let parts = 0;
    let taken = 0;
    for (const path of files) {
      for (const { part } of documentParts(readFileSync(path, 'utf8'))) {
        parts++;
        if (agrees(part, path)) taken++;
      }
    }
    // Most manifests are in the subset; templates and broken fixtures are not.
    assert.ok(taken / parts > 0.6, `only ${taken} of ${parts} parts took the block parser`);
  });

  it('agrees at the edges of the subset, and steps aside past them', () => {
    const taken = [
      'a: 1\nb: [x, "y", \'z\', 2]\nc: []\nd: {}\n',
      '---\na:\n- 1\n- 2\nb: x\n',
      '--- # a comment\n# another\n  a: 1\n  b:\n    c: d\n',
      'l:\n  - name: a\n    image: b:1 # the tag\n  -\n    x: y\n  - plain text\n  -\n',
      "q: 'it''s'\nr: \"a # b\"\ns: a#b\nt: x  #  note\n",
      'k: |\n  one\n\n    two\n  # not a comment\n\nnext: 1\n',
      'k: |-\n  one\n\n',
      'k: |+\n  one\n\n\nnext: 1\n',
      '- |\n  in a list\n- b\n',
      'url: http://example.com:8080/x\nport: 8080\ncpu: 0.5\nempty:\n',
      'v: on\nw: ~\nx: 1e3\nv2: 0o7\nv3: 0x1F\n',
      'yy: 1\n',
      '"quoted key": 1\n\'single\': 2\n',
      'a:\n  b:\n    c:\n      d: 1\ne: 2\n',
      'description: a long\n  text that goes\n\n\n   on and on\n\nnext: 1\n',
      '- an item that\n  goes on\n- b\n',
      'a: multi\n  line plain\n',
      'a: "multi\n  line"\n',
      'd: "a\n  \\"b"\n',
      'e: "a\\tb \\"c\\" \\\\ \\/ \\n"\nf: "x\\"\n  y \\\\ z"\n',
      'd: "a quoted: text\n  that # goes\n\n  on"\nnext: 1\n',
      'rule: has(self.a)\n  && self.b\n  || \'x\' == "y"\n  `and` [so] {on} *a &b !c %d @e >f ,g\n',
      "s: 'it''s\n    long' # and a comment\n",
      '- "x\n  y"\n- z\n',
      '- k: a key whose value\n    goes on here\n',
    ];
    for (const text of taken) assert.ok(agrees(text, 'taken'), `not taken:\n${text}`);
    const aside = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '%YAML 1.1\n---\na: 1\n',
      'a: 1\na: 2\n',
      'true: 1\n',
      'y: 1\n',
      '1: x\n',
      '<<: {a: 1}\n',
      '__proto__: 1\n',
      'a: >\n  folded\n',
      'a: |2\n   x\n',
      'a: |\n\n  leading blank\n',
      'a: |\n  no line break at the end',
      'a: "\\x41"\n',
      'a: "\\u0041"\n',
      'a: "escaped\\\n  line break"\n',
      'a: {b: 1}\n',
      'a: [b, [c]]\n',
      'a: [b, ]\n',
      'a: b: c\n',
      'a:\tb\n',
      'a:\n\t- b\n',
      'a: 1\r\nb: 2\r\n',
      'a: 1\n...\n',
      '? a\n: b\n',
      '- - a\n',
      'just a scalar\n',
      '---\n# nothing but a comment\n',
      'a: 1\n  b: 2\n',
      'a: x\n  - y\n',
      'a: x\n  # a comment\n  y\n',
      'a: x\n  y # a comment\n',
      'a: x\n  \ty\n',
      'd: "a\n"\n',
      'd: "a\n  b "\n',
      'd: "a\nb"\n',
      'd: "never closed\n  at all\n',
      'a: x\n  - y\n',
      'a: x\n  ? y\n',
      'a: x\n  :y\n',
      'a: x # a comment\n  y\n',
      'a: "x" y\n',
      'a: \u0007\n',
    ];
    for (const text of aside) assert.equal(blockDocument(text), undefined, `taken:\n${text}`);
  });

  it('agrees on generated manifests in the styles tools write', () => {
    const key = fc.oneof(
      fc.constantFrom('name', 'app.kubernetes.io/name', 'a b', 'x-y', 'on', 'null', '1', '-a', 'a:b', 'a#b'),
      fc.stringMatching(/^[a-zA-Z][\w.\-/]{0,10}$/),
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.stringMatching(/^[ -~]{0,12}$/),
      fc.constantFrom('', ' ', 'a: b', '# x', 'x #y', "it's", '"q"', '- a', '0.5', '500m', 'yes', '~', '\n'),
      fc.lorem({ maxCount: 3 }).map((s) => `${s}\n${s}\n`),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('tree'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
    }));
    const style = fc.record({
      indent: fc.constantFrom(2, 4),
      // Long plain strings folded over several lines, as controller-gen writes CRD descriptions.
      lineWidth: fc.constantFrom(0, 20, 40),
      indentSeq: fc.boolean(),
      flowLists: fc.boolean(),
    });
    let runs = 0;
    let taken = 0;
    fc.assert(
      fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 6 }), style, (object, s) => {
        const text = stringify(object, {
          indent: s.indent,
          indentSeq: s.indentSeq,
          collectionStyle: s.flowLists ? 'any' : 'block',
          lineWidth: s.lineWidth,
          minContentWidth: 0,
        });
        runs++;
        if (agrees(text, 'generated')) taken++;
        agrees(`---\n${text}`, 'generated after ---');
      }),
      { numRuns: 3000 },
    );
    // The property says something only if the block parser takes a good share of them.
    assert.ok(taken > runs / 10, `the block parser took ${taken} of ${runs}`);
  });
});
