/**
 * The key-encryption key (KEK): the one root secret that wraps every customer data key.
 * It comes from `KEK` (base64) or `KEK_FILE`; development derives one from the service
 * key (with a warning printed by config.ts) and production refuses that. Its id, a
 * fingerprint, is stored with every wrapped key so rotation knows what wrapped what.
 */
import { createHash, hkdfSync } from 'node:crypto';
import fs from 'node:fs';

export interface Kek {
  /** Short fingerprint of the key (never the key): `k` + 16 hex digits of SHA-256. */
  readonly id: string;
  readonly key: Buffer;
}

export interface KekSource {
  kek: string | undefined;
  kekFile: string | undefined;
  serviceKey: Buffer;
  production: boolean;
}

/** Builds a KEK object from 32 raw bytes. */
export function kekFromBytes(key: Buffer): Kek {
  if (key.length !== 32) throw new Error('KEK: must be 32 bytes, base64 or base64url encoded');
  const id = `k${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  return Object.freeze({ id, key: Buffer.from(key) });
}

/** Decodes a base64 or base64url KEK text. */
export function parseKek(text: string): Kek {
  return kekFromBytes(Buffer.from(text.trim(), 'base64url'));
}

/**
 * Resolves the KEK from configuration.
 * @throws Error naming the variable when it is missing in production or malformed.
 */
export function loadKek(source: KekSource): Kek {
  if (source.kek !== undefined && source.kekFile !== undefined) throw new Error('KEK: set KEK or KEK_FILE, not both');
  if (source.kek !== undefined) return parseKek(source.kek);
  if (source.kekFile !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(source.kekFile, 'utf8');
    } catch (err) {
      throw new Error(`KEK_FILE: cannot read ${source.kekFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return parseKek(text);
  }
  if (source.production) throw new Error('KEK: required when NODE_ENV=production (KEK or KEK_FILE)');
  return developmentKek(source.serviceKey);
}

/** The development KEK: derived from the service key, so every dev process agrees on it. */
export function developmentKek(serviceKey: Buffer): Kek {
  return kekFromBytes(Buffer.from(hkdfSync('sha256', serviceKey, Buffer.alloc(0), 'confide development KEK', 32)));
}

/** KEK_PREVIOUS: comma-separated base64 keys still accepted for unwrapping during a rotation. */
export function parsePreviousKeks(text: string | undefined): Kek[] {
  if (text === undefined || text.trim() === '') return [];
  try {
    return text.split(',').map((t) => parseKek(t));
  } catch {
    throw new Error('KEK_PREVIOUS: every key must be 32 bytes, base64 or base64url encoded');
  }
}
