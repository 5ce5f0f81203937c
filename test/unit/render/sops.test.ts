// The TypeScript SOPS decrypter against files encrypted by the real sops CLI: age and PGP
// keys, whole-file and partial encryption, YAML/JSON/dotenv/binary, and refusal of files
// changed without the key (MAC) or opened with the wrong key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { decryptFile, SopsDecryptError } from '../../../src/render/sops/decrypt.ts';
import { loadSopsKeys, SopsKeyError, type SopsKeys } from '../../../src/render/sops/keys.ts';
import { type SopsKit, sopsKit } from '../../support/sops.ts';

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
  labels:
    app: db
type: Opaque
stringData:
  password: hunter2-секрет
  port: 5432
  ratio: 1.50
  enabled: true
  empty: ""
  hosts:
    - a.example
    - b.example
  nested:
    token_public: visible
    token: hidden
`;

let kit: SopsKit;
let ageKeys: SopsKeys;
let pgpKeys: SopsKeys;

before(async () => {
  kit = sopsKit();
  ageKeys = await loadSopsKeys({ ageKey: kit.ageKey });
  pgpKeys = await loadSopsKeys({ pgpKey: kit.pgpKey });
});
after(() => kit?.cleanup());

const ageArgs = () => ['--age', kit.ageRecipient];
const pgpArgs = () => ['--pgp', kit.pgpFingerprint];

async function decryptYaml(text: string, keys: SopsKeys, file = 'secret.enc.yaml') {
  const result = await decryptFile(text, 'yaml', keys, file);
  return parseAllDocuments(result.plaintext.toString('utf8')).map((doc) => doc.toJS());
}

async function rejects(promise: Promise<unknown>, pattern: RegExp, noKey = false): Promise<SopsDecryptError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SopsDecryptError, `expected a SopsDecryptError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.equal(error.noKey, noKey);
    return error;
  }
  assert.fail(`expected a rejection matching ${pattern}`);
}

describe('sops decrypter: files encrypted by the sops CLI', () => {
  it('decrypts a whole-file YAML encrypted for age, every value with its type', async () => {
    const encrypted = kit.encrypt(SECRET, 'secret.yaml', ageArgs());
    assert.match(encrypted, /^kind: ENC\[AES256_GCM,/m, 'sops encrypted the whole file');
    assert.doesNotMatch(encrypted, /hunter2/);
    const [doc] = await decryptYaml(encrypted, ageKeys);
    assert.deepEqual(doc, parse(SECRET));
  });

  it('decrypts a partial file (encrypted_regex) encrypted for PGP, leaving metadata plain', async () => {
    const encrypted = kit.encrypt(SECRET, 'secret.yaml', [
      ...pgpArgs(),
      '--encrypted-regex',
      '^(data|stringData)$',
    ]);
    assert.match(encrypted, /^ {4}name: db$/m);
    assert.match(encrypted, /^ {4}password: ENC\[/m);
    const [doc] = await decryptYaml(encrypted, pgpKeys);
    assert.deepEqual(doc, parse(SECRET));
  });

  it('leaves values under an unencrypted_suffix key plain and still verifies them', async () => {
    const encrypted = kit.encrypt(SECRET, 'secret.yaml', [...ageArgs(), '--unencrypted-suffix', '_public']);
    assert.match(encrypted, /token_public: visible/);
    const [doc] = await decryptYaml(encrypted, ageKeys);
    assert.deepEqual(doc, parse(SECRET));
    await rejects(
      decryptYaml(
        encrypted.replace('token_public: visible', 'token_public: changed'),
        ageKeys,
        'apps/db.yaml',
      ),
      /^apps\/db\.yaml: MAC mismatch/,
    );
  });

  it('honours encrypted_suffix, unencrypted_regex and mac_only_encrypted', async () => {
    const bySuffix = kit.encrypt(SECRET, 's.yaml', [...ageArgs(), '--encrypted-suffix', 'word']);
    assert.match(bySuffix, /^ {4}password: ENC\[/m);
    assert.match(bySuffix, /^ {4}port: 5432$/m);
    assert.deepEqual((await decryptYaml(bySuffix, ageKeys))[0], parse(SECRET));

    const byRegex = kit.encrypt(SECRET, 's.yaml', [
      ...ageArgs(),
      '--unencrypted-regex',
      '^(metadata|kind|apiVersion|type)$',
    ]);
    assert.match(byRegex, /^kind: Secret$/m);
    assert.deepEqual((await decryptYaml(byRegex, ageKeys))[0], parse(SECRET));

    const config = `creation_rules:\n  - age: ${kit.ageRecipient}\n    encrypted_regex: ^stringData$\n    mac_only_encrypted: true\n`;
    const macOnly = kit.encrypt(SECRET, 's.yaml', [], config);
    assert.match(macOnly, /mac_only_encrypted: true/);
    // Plain values are outside the MAC by the file's own choice; encrypted ones are not.
    const relabelled = macOnly.replace('app: db', 'app: other');
    assert.equal((await decryptYaml(relabelled, ageKeys))[0].metadata.labels.app, 'other');
    const lines = macOnly.split('\n');
    const first = lines.findIndex((l) => l.startsWith('    password: ENC['));
    lines.splice(first, 1);
    await rejects(decryptYaml(lines.join('\n'), ageKeys, 'mac-only.yaml'), /^mac-only\.yaml: MAC mismatch/);
  });

  it('decrypts JSON, dotenv and binary files', async () => {
    const json = kit.encrypt(
      JSON.stringify({ user: 'admin', port: 80, ratio: 0.25, list: [1, 'two'] }),
      'c.json',
      ageArgs(),
    );
    const plainJson = await decryptFile(json, 'json', ageKeys, 'c.json');
    assert.deepEqual(JSON.parse(plainJson.plaintext.toString('utf8')), {
      user: 'admin',
      port: 80,
      ratio: 0.25,
      list: [1, 'two'],
    });

    const env = kit.encrypt(
      'USER=admin\nPASSWORD=s3cr=et\n# a comment\nMULTI=a\\nb\nEMPTY=\n',
      'app.env',
      pgpArgs(),
    );
    assert.match(env, /^sops_mac=ENC\[/m);
    const plainEnv = await decryptFile(env, 'dotenv', pgpKeys, 'app.env');
    assert.equal(plainEnv.plaintext.toString('utf8'), 'USER=admin\nPASSWORD=s3cr=et\nMULTI=a\\nb\nEMPTY=\n');

    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 10, 65]);
    const binary = kit.encrypt(bytes, 'blob.bin', [
      ...ageArgs(),
      '--input-type',
      'binary',
      '--output-type',
      'binary',
    ]);
    const plainBinary = await decryptFile(binary, 'binary', ageKeys, 'blob.bin');
    assert.deepEqual([...plainBinary.plaintext], [...bytes]);
  });

  it('decrypts every document of a multi-document YAML file under one MAC', async () => {
    const two = `${SECRET}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: second\nstringData:\n  key: value2\n`;
    const encrypted = kit.encrypt(two, 'two.yaml', [
      ...ageArgs(),
      '--encrypted-regex',
      '^(data|stringData)$',
    ]);
    const docs = await decryptYaml(encrypted, ageKeys);
    assert.deepEqual(
      docs,
      parseAllDocuments(two).map((d) => d.toJS()),
    );
    await rejects(
      decryptYaml(encrypted.replace('name: second', 'name: third'), ageKeys, 'two.yaml'),
      /^two\.yaml: MAC mismatch/,
    );
  });

  it('refuses a tampered file, naming it: a value moved, a key renamed, a value removed, the MAC replaced', async () => {
    const encrypted = kit.encrypt(SECRET, 'secret.yaml', [
      ...ageArgs(),
      '--encrypted-regex',
      '^(data|stringData)$',
    ]);
    const password = /^ {4}password: (ENC\[.*\])$/m.exec(encrypted)![1];
    const token = /^ {8}token: (ENC\[.*\])$/m.exec(encrypted)![1];
    // A ciphertext is bound to its path: moved to another key it does not open.
    const moved = encrypted.replace(token, password);
    await rejects(
      decryptYaml(moved, ageKeys, 'apps/db.enc.yaml'),
      /^apps\/db\.enc\.yaml: cannot decrypt stringData\.nested\.token/,
    );
    const renamed = encrypted.replace('    labels:\n        app: db', '    labels:\n        app: web');
    await rejects(decryptYaml(renamed, ageKeys, 'apps/db.enc.yaml'), /^apps\/db\.enc\.yaml: MAC mismatch/);
    const removed = encrypted
      .replace(/^ {8}- .*b\.example.*\n/m, '')
      .replace(/^ {8}- (ENC\[[^\n]*)\n(?= {4}nested)/m, '');
    assert.notEqual(removed, encrypted);
    await rejects(decryptYaml(removed, ageKeys, 'apps/db.enc.yaml'), /^apps\/db\.enc\.yaml: MAC mismatch/);
    const otherMac = kit
      .encrypt(SECRET.replace('hunter2', 'hunter3'), 'secret.yaml', [
        ...ageArgs(),
        '--encrypted-regex',
        '^(data|stringData)$',
      ])
      .match(/^ {4}mac: (ENC\[.*\])$/m)![1];
    const swappedMac = encrypted.replace(/^( {4}mac: )ENC\[.*\]$/m, `$1${otherMac}`);
    await rejects(
      decryptYaml(swappedMac, ageKeys, 'apps/db.enc.yaml'),
      /^apps\/db\.enc\.yaml: its MAC does not open/,
    );
  });

  it('says which keys would open a file when the given key does not', async () => {
    const encrypted = kit.encrypt(SECRET, 'secret.yaml', [...ageArgs(), ...pgpArgs()]);
    const wrong = await loadSopsKeys({ ageKey: kit.otherAgeKey });
    const error = await rejects(
      decryptYaml(encrypted, wrong, 'apps/db.enc.yaml'),
      new RegExp(
        `^apps/db\\.enc\\.yaml: no key given opens it: it is encrypted for age ${kit.ageRecipient}, PGP ${kit.pgpFingerprint}$`,
      ),
      true,
    );
    assert.ok(!error.message.includes('AGE-SECRET-KEY'), 'no key material in the message');
    await rejects(
      decryptYaml(encrypted, { age: [], pgp: [], secrets: [] }, 'x.yaml'),
      /no key given opens it/,
      true,
    );
    // Either key alone opens it.
    assert.equal((await decryptYaml(encrypted, pgpKeys))[0].stringData.password, 'hunter2-секрет');
  });
});

describe('sops keys', () => {
  it('reads age identities from text and from a file, skipping comments', async () => {
    const keys = await loadSopsKeys({ ageKey: kit.otherAgeKey, ageKeyFile: kit.ageKeyFile });
    assert.equal(keys.age.length, 2);
    assert.ok(keys.age.every((k) => k.startsWith('AGE-SECRET-KEY-1')));
  });

  it('lists every line of key material for masking, one by one', async () => {
    const keys = await loadSopsKeys({ ageKey: kit.ageKey, pgpKey: kit.pgpKey });
    const identity = kit.ageKey.split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-1'))!;
    assert.ok(keys.secrets.includes(identity));
    const body = kit.pgpKey.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
    assert.ok(body.length > 3);
    for (const line of body) assert.ok(keys.secrets.includes(line.trim()), 'each armored line is masked');
    assert.ok(!keys.secrets.some((line) => line.startsWith('-----') || line.includes('\n')));
  });

  it('names the setting of a malformed key without echoing it', async () => {
    await assert.rejects(
      loadSopsKeys({ ageKey: 'AGE-SECRET-KEY-1-not-really-s3cr3t' }),
      (e: unknown) =>
        e instanceof SopsKeyError && /sops-age-key/.test(e.message) && !e.message.includes('s3cr3t'),
    );
    await assert.rejects(
      loadSopsKeys({
        pgpKey: '-----BEGIN PGP PRIVATE KEY BLOCK-----\ns3cr3t\n-----END PGP PRIVATE KEY BLOCK-----',
      }),
      (e: unknown) =>
        e instanceof SopsKeyError && /sops-pgp-key/.test(e.message) && !e.message.includes('s3cr3t'),
    );
    await assert.rejects(
      loadSopsKeys({ ageKeyFile: '/nonexistent/keys.txt' }),
      (e: unknown) =>
        e instanceof SopsKeyError && /\/nonexistent\/keys\.txt \(SOPS_AGE_KEY_FILE\)/.test(e.message),
    );
  });
});
