// sops' value cipher: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` opened with the data key
// and the value's path as additional data, and the bytes each typed value adds to the MAC.
import { createDecipheriv } from 'node:crypto';
import { goFloat, type Leaf } from './tree.ts';

const ENCRYPTED = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

export class ValueDecryptError extends Error {}

/** Opens one value. Empty strings are never encrypted; sops leaves them as they are. */
export function decryptValue(text: string, key: Uint8Array, additionalData: string): Leaf {
  if (text === '') return { type: 'str', value: '' };
  const match = ENCRYPTED.exec(text);
  if (!match) throw new ValueDecryptError('the value is not in sops’ encrypted format');
  const [, data, iv, tag, type] = match;
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
  } catch {
    throw new ValueDecryptError('the value does not open with the data key (altered or moved)');
  }
  return typed(plain, type);
}

function typed(plain: Buffer, type: string): Leaf {
  const text = plain.toString('utf8');
  switch (type) {
    case 'str':
    case 'bytes':
    case 'comment':
      return { type: 'str', value: text, raw: plain };
    case 'int':
      if (!/^[-+]?\d+$/.test(text)) throw new ValueDecryptError(`'${type}' value is not an integer`);
      return { type: 'int', value: BigInt(text) };
    case 'float': {
      const value = Number(text);
      if (text.trim() === '' || Number.isNaN(value))
        throw new ValueDecryptError('float value is not a number');
      return { type: 'float', value };
    }
    case 'bool': {
      // strconv.ParseBool
      if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return { type: 'bool', value: true };
      if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return { type: 'bool', value: false };
      throw new ValueDecryptError('bool value is not a boolean');
    }
    case 'time':
      return { type: 'time', value: text };
    default:
      throw new ValueDecryptError(`unknown value type '${type}'`);
  }
}

/** What a value adds to the MAC (sops' `ToBytes`). */
export function macBytes(leaf: Leaf): Uint8Array {
  switch (leaf.type) {
    case 'str':
      return leaf.raw ?? Buffer.from(leaf.value, 'utf8');
    case 'int':
      return Buffer.from(leaf.value.toString(), 'utf8');
    case 'float':
      return Buffer.from(goFloat(leaf.value), 'utf8');
    case 'bool':
      return Buffer.from(leaf.value ? 'True' : 'False', 'utf8');
    case 'time':
      return Buffer.from(leaf.value, 'utf8');
  }
}

/** The additional data a value was sealed with: its path of keys, each followed by ':'. */
export const additionalData = (path: string[]) => `${path.join(':')}:`;

/**
 * The `lastmodified` as sops re-formats it (Go's RFC 3339 without fractional seconds) to
 * serve as the MAC's additional data.
 */
export function macAdditionalData(lastModified: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(lastModified);
  if (!match) throw new ValueDecryptError(`lastmodified '${lastModified}' is not an RFC 3339 time`);
  const zone = match[2].toUpperCase() === 'Z' || /^[+-]00:00$/.test(match[2]) ? 'Z' : match[2];
  return `${match[1]}${zone}`;
}
