/**
 * What every feature receives: configuration, storage, bus, logger, the service-key
 * box and a clock (injectable, so tests can move time).
 */
import type { Logger } from 'pino';
import type { Bus } from './bus/bus.js';
import type { Config } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Storage } from './storage/db.js';
import type { Metrics } from './http/metrics.js';

export interface HubContext {
  readonly config: Config;
  readonly storage: Storage;
  readonly bus: Bus;
  readonly log: Logger;
  readonly secrets: SecretBox;
  readonly metrics: Metrics;
  /** Milliseconds since the epoch; replaced in tests. */
  readonly now: () => number;
}
