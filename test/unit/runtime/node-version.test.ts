// The Node.js version check the bundle's guard runs first: which versions pass, and what a
// user on an older one is told (the minimum, the Node.js that ran, and how to get a newer one).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAtLeast, nodeVersionProblem } from '../../../src/node-version.ts';

describe('Node.js version check', () => {
  it('compares major, minor and patch as numbers', () => {
    const table: Array<[string, string, boolean]> = [
      ['20.20.2', '22.19', false],
      ['22.18.9', '22.19', false],
      ['22.19.0', '22.19', true],
      ['22.100.0', '22.19', true],
      ['23.0.0', '22.19', true],
      ['24.11.1', '22.19', true],
      ['v9.99.99', '22.19', false],
      ['100.0.0', '22.19', true],
    ];
    for (const [actual, minimum, ok] of table)
      assert.equal(isAtLeast(actual, minimum), ok, `${actual} ≥ ${minimum}`);
  });

  it('says nothing on a Node.js that will do', () => {
    assert.equal(nodeVersionProblem('24.0.0', '22.19', 'cli', '/usr/local/bin/node'), undefined);
  });

  it('tells a CLI user which Node.js ran, which is needed, and how to get it', () => {
    const message = nodeVersionProblem('20.20.2', '22.19', 'cli', '/usr/bin/node');
    assert.ok(message);
    assert.match(
      message,
      /^kube-drift needs Node\.js 22\.19 or newer, but this is Node\.js 20\.20\.2 \(\/usr\/bin\/node\)\./,
    );
    assert.match(message, /`npm ci` installs Node\.js 24 as node_modules\/\.bin\/node/);
    assert.match(message, /install Node\.js 24 \(or 22\.19 or newer\)/);
  });

  it('tells an action user that the runner needs an update', () => {
    const message = nodeVersionProblem('20.20.2', '22.19', 'action', '/opt/node20/bin/node');
    assert.match(message ?? '', /runs\.using: node24/);
  });
});
