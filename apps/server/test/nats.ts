/**
 * NATS for the test suites: the server the global setup found (tests/setup/services.ts),
 * and `describeWithNats`, which skips a suite when that setup found none (never under CI).
 */
import { describe } from 'vitest';

export const NATS_URL = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** `describe` for suites that need a NATS server; skipped when none was found outside CI. */
export const describeWithNats = describe.skipIf(process.env['TEST_NATS'] === 'skip');
