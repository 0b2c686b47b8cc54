/**
 * Services that storage hands to every write job and carries for its users, but that live in
 * higher layers: the vault, which seals content before it is written (privacy/vault.ts), and
 * the timeline's consumers (timeline/consumers.ts).
 * Storage never imports them. The layer that provides a service adds it to these interfaces
 * by declaration merging, as Fastify plugins add decorators, and hub.ts passes the opener:
 *
 *   declare module '../storage/services.js' { interface StorageServices { readonly vault: Vault } }
 */
import type { DialectName } from './migrations/index.js';

export interface StorageServices {}

/** Where a storage lives, for services that keep their own files or connections beside it. */
export interface StoragePlace {
  readonly dialect: DialectName;
  /** PostgreSQL: the database URL. */
  readonly databaseUrl: string | undefined;
  /** SQLite: the data folder, or null for an in-memory database. */
  readonly dataDir: string | null;
  readonly queryTimeoutMs: number;
}

/** Services opened beside a storage, with their own lifecycle. */
export interface OpenedServices<S = StorageServices> {
  readonly services: S;
  /** Runs after the migrations, before the storage is handed out (the vault checks its KEK). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the services of a storage (hub.ts combines the vault's and the timeline's). */
export type StorageServicesOpener = (place: StoragePlace) => OpenedServices;

/** Opens some of the services (privacy/vault-services.ts, timeline/consumers.ts); `combineServices` joins them. */
export type ServiceOpener = (place: StoragePlace) => OpenedServices<Partial<StorageServices>>;

/** Opens several services beside one storage; `ready` and `close` run in order (close in reverse). */
export function combineServices(...openers: ServiceOpener[]): StorageServicesOpener {
  return (place) => {
    const opened = openers.map((open) => open(place));
    return {
      services: Object.assign({}, ...opened.map((o) => o.services)) as StorageServices,
      async ready() {
        for (const o of opened) await o.ready();
      },
      async close() {
        for (const o of [...opened].reverse()) await o.close();
      },
    };
  };
}
