/**
 * What every feature receives: configuration, storage, bus, logger, the service-key
 * box and a clock (injectable, so tests can move time).
 */
import type { Logger } from 'pino';
import type { Bus } from './bus/bus.js';
import type { Config } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { SigningKeys } from './crypto/signing-keys.js';
import type { Storage } from './storage/db.js';
import type { Metrics } from './metrics.js';

export interface HubContext {
  readonly config: Config;
  readonly storage: Storage;
  readonly bus: Bus;
  readonly log: Logger;
  readonly secrets: SecretBox;
  readonly metrics: Metrics;
  /** The hub's JWS signing keys (consent receipts, audit checkpoints), one instance per hub. */
  readonly signingKeys: SigningKeys;
  /** Milliseconds since the epoch; replaced in tests. */
  readonly now: () => number;
}
