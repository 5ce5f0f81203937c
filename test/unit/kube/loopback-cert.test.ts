import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSecureContext } from 'node:tls';
import { loopbackCertificate, serialNumber } from '../../../src/kube/loopback-cert.ts';

describe('the lookup endpoint certificate', () => {
  it('is one OpenSSL loads whatever random bytes the serial starts with', () => {
    // A leading 0x00 before a byte under 0x80 is padding OpenSSL refuses: it made about one
    // endpoint in 500 fail to start, and Helm charts rendered without lookup.
    for (const first of [
      [0x00, 0x10],
      [0x00, 0x80],
      [0x80, 0x00],
      [0xff, 0xff],
      [0x7f, 0x00],
    ]) {
      const random = Buffer.alloc(16, 0x42);
      random[0] = first[0];
      random[1] = first[1];
      const serial = serialNumber(random);
      const { cert, key } = loopbackCertificate(new Date(), serial);
      assert.doesNotThrow(() => createSecureContext({ cert, key }), `serial starting ${first}`);
      const parsed = new X509Certificate(cert);
      assert.equal(parsed.serialNumber, serial.toString('hex').toUpperCase());
      assert.ok(parsed.checkIP('127.0.0.1'));
    }
  });

  it('keeps 127 of the 128 random bits of a serial and makes it positive', () => {
    assert.deepEqual(serialNumber(Buffer.from([0x00, 0x10])), Buffer.from([0x01, 0x10]));
    assert.deepEqual(serialNumber(Buffer.from([0xfe, 0x10])), Buffer.from([0x7f, 0x10]));
    assert.deepEqual(serialNumber(Buffer.from([0x42, 0x10])), Buffer.from([0x43, 0x10]));
  });
});
