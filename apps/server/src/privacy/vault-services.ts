/**
 * The vault as a storage service: storage hands it to every write job (`tx.vault`) and
 * carries it (`storage.vault`) without importing the privacy layer (storage/services.ts).
 * The keystore lives beside the database: its own SQLite file (`keys.db`, never in
 * confide.db; docs/privacy.md) or the same PostgreSQL database on connections of its own.
 */
import path from 'node:path';
import type { Kek } from '../crypto/kek.js';
import type { ServiceOpener, StoragePlace } from '../storage/services.js';
import { SqliteKeyStore, type KeyStore } from './keystore.js';
import { PgKeyStore } from './keystore-postgres.js';
import { Vault } from './vault.js';

declare module '../storage/services.js' {
  interface StorageServices {
    /** Encrypts and (for an allowed purpose) decrypts customer content; see privacy/vault.ts. */
    readonly vault: Vault;
  }
}

export interface VaultServicesOptions {
  /** Key-encryption key wrapping the data keys of the vault. */
  kek: Kek;
  /** Earlier KEKs accepted for unwrapping during a rotation. */
  previousKeks?: readonly Kek[];
  /** The SQLite keystore's insert thread stopped: its inserts commit on the main thread from then on (keystore.ts). */
  onKeyThreadStopped?: (err: Error) => void;
}

function openKeyStore(place: StoragePlace, options: VaultServicesOptions): KeyStore {
  if (place.dialect === 'postgres' && place.databaseUrl !== undefined)
    return new PgKeyStore(place.databaseUrl, place.queryTimeoutMs);
  const file = place.dataDir === null ? null : path.join(place.dataDir, 'keys.db');
  return new SqliteKeyStore(file, { onThreadStopped: options.onKeyThreadStopped });
}

/** Opens the keystore beside a storage and the vault over it; ready once the KEK matches the keystore. */
export function vaultServices(options: VaultServicesOptions): ServiceOpener {
  return (place) => {
    const keystore = openKeyStore(place, options);
    const vault = new Vault({ keystore, kek: options.kek, previousKeks: options.previousKeks ?? [] });
    return { services: { vault }, ready: () => vault.assertKekMatchesKeystore(), close: () => keystore.close() };
  };
}
