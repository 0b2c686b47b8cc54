/**
 * The hub's VAPID key pair (RFC 8292), which signs every push so push services know it
 * comes from this hub. From VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY; in development generated
 * once into DATA_DIR/vapid.json (mode 0600), in tests generated in memory. Production
 * requires them (config.ts refuses to start without; `confide vapid generate` prints a pair).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import webpush from 'web-push';
import { z } from 'zod';
import { VAPID_REQUIRED, type Config } from '../../config.js';

export interface VapidKeys {
  /** Uncompressed P-256 public key, base64url (65 bytes): the browser's `applicationServerKey`. */
  publicKey: string;
  /** P-256 private scalar, base64url (32 bytes). */
  privateKey: string;
  /** `mailto:` or `https:` contact for push services. */
  subject: string;
}

const KeyFile = z.object({ publicKey: z.string(), privateKey: z.string() });

/** Checks a key pair's shape. @throws Error naming the variable at fault. */
export function assertVapidPair(publicKey: string, privateKey: string): void {
  if (Buffer.from(publicKey, 'base64url').length !== 65)
    throw new Error('VAPID_PUBLIC_KEY: must be a base64url P-256 public key (65 bytes)');
  if (Buffer.from(privateKey, 'base64url').length !== 32)
    throw new Error('VAPID_PRIVATE_KEY: must be a base64url P-256 private key (32 bytes)');
}

/** The keys this hub signs with. @throws Error in production without VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY. */
export function loadVapidKeys(config: Config, log: Logger): VapidKeys {
  const subject =
    config.VAPID_SUBJECT ?? (config.publicUrl.startsWith('https:') ? config.publicUrl : 'mailto:push@confide.invalid');
  const { VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: priv } = config;
  if (pub !== undefined && priv !== undefined) {
    assertVapidPair(pub, priv);
    return { publicKey: pub, privateKey: priv, subject };
  }
  if (pub !== undefined || priv !== undefined)
    throw new Error('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither');
  if (config.NODE_ENV === 'production') throw new Error(VAPID_REQUIRED);
  if (config.NODE_ENV === 'test') return { ...webpush.generateVAPIDKeys(), subject };
  const file = path.join(config.DATA_DIR, 'vapid.json');
  if (existsSync(file)) {
    const keys = KeyFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    assertVapidPair(keys.publicKey, keys.privateKey);
    return { ...keys, subject };
  }
  const keys = webpush.generateVAPIDKeys();
  mkdirSync(config.DATA_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  log.warn(
    { file },
    'VAPID keys generated for development: set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY before real use',
  );
  return { ...keys, subject };
}

/** A fresh key pair, as `confide vapid generate` prints it (environment lines for the hub). */
export function generateVapidPair(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const keys = webpush.generateVAPIDKeys();
  assertVapidPair(keys.publicKey, keys.privateKey);
  return { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey };
}
