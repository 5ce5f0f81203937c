// A throw-away self-signed certificate for 127.0.0.1, made per run with Node's crypto: client-go
// sends a kubeconfig's token only over TLS, so the lookup endpoint must speak HTTPS.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface LoopbackCertificate {
  /** PEM; also the CA that Helm's kubeconfig trusts, and nothing else does. */
  cert: string;
  key: string;
}

// DER, the little of it a certificate needs.
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const sequence = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const oid = (hex: string) => tlv(0x06, Buffer.from(hex, 'hex'));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const octets = (content: Buffer) => tlv(0x04, content);
const bits = (content: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);

function integer(value: Buffer): Buffer {
  // Positive: a leading zero byte when the high bit is set.
  return tlv(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

function utcTime(date: Date): Buffer {
  const text = date
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .slice(2);
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

const ECDSA_WITH_SHA256 = '2a8648ce3d040302';
const COMMON_NAME = '550403';
const SUBJECT_ALT_NAME = '551d11';

/**
 * A serial number as DER wants it: positive and minimal. A random first byte of 0x00 followed
 * by one under 0x80 is padding OpenSSL refuses ("illegal padding"), which made one endpoint
 * in about 500 fail to start; the first byte is kept in 0x01..0x7f.
 */
export function serialNumber(random: Buffer = randomBytes(16)): Buffer {
  const serial = Buffer.from(random);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  return serial;
}

/** A P-256 certificate for IP 127.0.0.1, valid from an hour ago for a day. */
export function loopbackCertificate(now = new Date(), serial: Buffer = serialNumber()): LoopbackCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = sequence(set(sequence(oid(COMMON_NAME), utf8('kube-drift lookup endpoint'))));
  const algorithm = sequence(oid(ECDSA_WITH_SHA256));
  const altNames = sequence(tlv(0x87, Buffer.from([127, 0, 0, 1])));
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    name,
    sequence(utcTime(new Date(now.getTime() - 3_600_000)), utcTime(new Date(now.getTime() + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(sequence(oid(SUBJECT_ALT_NAME), octets(altNames)))),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, bits(signature));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
