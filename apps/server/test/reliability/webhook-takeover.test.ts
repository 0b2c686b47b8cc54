/**
 * A worker killed in the middle of a webhook POST (real processes on one PostgreSQL
 * schema): while it lives, its renewed lease keeps the batch its own however long the
 * receiver takes (no second delivery); after `kill -9`, another worker delivers the batch
 * about one WEBHOOK_LEASE_MS later, not after the POST timeout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createSharedSchema, until, type SharedSchema } from '../scale/scale-helpers.js';
import {
  createPageWithWebhook,
  customerWhoWrote,
  startHubProcess,
  startReceiver,
  stopProcess,
  type Receiver,
} from './harness.js';

const LEASE_MS = 1500;

describe('webhook lease after a killed worker', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-takeover-'));
  let schema: SharedSchema | undefined;
  let receiver: Receiver | undefined;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) await stopProcess(c).catch(() => undefined);
    await receiver?.stop().catch(() => undefined);
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is taken over by another worker within a few seconds of kill -9, and never while the first one lives', async () => {
    schema = await createSharedSchema();
    receiver = await startReceiver();
    const env = {
      DATABASE_URL: schema.url,
      WEBHOOK_LEASE_MS: String(LEASE_MS),
      WEBHOOK_POLL_MS: '100',
      // Far longer than the test: only the lease can hand the batch over.
      WEBHOOK_TIMEOUT_MS: '120000',
    };
    const a = await startHubProcess(dataDir, env);
    children.push(a.child);
    const page = await createPageWithWebhook(receiver, 'Takeover Bank', ['--data-dir', dataDir], env);
    // The first POST never gets an answer: the worker of process A is stuck in it when it dies.
    let posts = 0;
    receiver.behave(() => (++posts === 1 ? new Promise<number>(() => undefined) : 200));
    await customerWhoWrote(a.url, 'takeover', [page.page_id]);
    await receiver.waitFor(() => receiver?.received === 1);

    const b = await startHubProcess(dataDir, { ...env, SERVICES: 'worker' });
    children.push(b.child);
    // A lives and renews its lease: B polls every 100 ms for three leases and must not post.
    await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
    expect(receiver.received).toBe(1);

    await stopProcess(a.child, 'SIGKILL');
    const killedAt = Date.now();
    await receiver.waitFor(() => (receiver?.accepted().length ?? 0) >= 1);
    const takeoverMs = Date.now() - killedAt;
    process.stdout.write(`webhook takeover after kill -9: ${takeoverMs} ms (WEBHOOK_LEASE_MS=${LEASE_MS})\n`);

    expect(receiver.accepted().map((i) => i.message?.text)).toEqual(['hi']);
    expect(receiver.received).toBe(2);
    expect(takeoverMs).toBeLessThan(LEASE_MS + 2_500);
    // B records the success after the receiver's answer.
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      const outbox = async () =>
        (
          await client.query<{ delivered: boolean; attempts: number }>(
            'select delivered_at is not null as delivered, attempts from webhook_outbox',
          )
        ).rows;
      await until(async () => (await outbox()).every((r) => r.delivered));
      expect(await outbox()).toEqual([{ delivered: true, attempts: 1 }]);
    } finally {
      await client.end();
    }
  }, 60_000);
});
