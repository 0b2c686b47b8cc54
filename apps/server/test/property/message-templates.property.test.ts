/**
 * Property: whatever arrives at `POST /v25.0/me/message_templates` or as a utility send
 * (`message.template` on `POST /v25.0/me/messages`), the hub never answers 5xx and a
 * refused request writes nothing. An accepted template writes one row and one status
 * webhook event; an accepted utility send one message, one stream event and its echo.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareCategory } from '../../src/features/consent/declarations.js';
import { buildTestHub, createPage, testClock, type TestHub } from '../helpers.js';
import { buildGraphFixture, type GraphFixture } from '../contract/graph-fixtures.js';
import {
  anyString,
  assertPrototypeClean,
  changed,
  countAll,
  junkToJson,
  junkValue,
  mutate,
  objectWith,
} from './junk.js';

const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 250);

describe('property: message templates and utility sends under hostile input', () => {
  let hub: TestHub;
  let fx: GraphFixture;
  let token: string;

  beforeAll(async () => {
    hub = await buildTestHub({
      clock: testClock(),
      // No worker: the outbox rows stay put, so their count is exact.
      env: { SEND_RATE_LIMIT_PER_PAGE: '1000000', SERVICES: 'api,realtime' },
    });
    const page = await createPage(hub, { webhookUrl: 'http://127.0.0.1:9/unused', verifyToken: 'v' });
    fx = await buildGraphFixture(hub, { page });
    token = fx.page.page_access_token;
    const subscribed = await hub.app.inject({
      method: 'POST',
      url: `/v25.0/me/subscribed_apps?access_token=${token}`,
      payload: { subscribed_fields: 'messages,message_echoes,message_template_status_update' },
    });
    expect(subscribed.statusCode).toBe(200);
    await declareCategory(hub.ctx, {
      pageId: page.page_id,
      category: 'transactions',
      purpose: 'Payments on your account',
    });
    await hub.services.consents.set(fx.customer.id, page.page_id, ['transactions']);
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  const templateRows = async () =>
    Number(
      (
        await hub.ctx.storage.db
          .selectFrom('message_templates')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  let seq = 0;
  const validTemplate = () => ({
    name: `payment_note_${(seq += 1)}`,
    language: 'en',
    category: 'UTILITY',
    notification_category: 'transactions',
    components: [
      {
        type: 'BODY',
        text: 'Your payment of {{1}} to {{2}} was sent today, thank you.',
        example: { body_text: [['€5', 'Shop']] },
      },
      { type: 'BUTTONS', buttons: [{ type: 'POSTBACK', text: 'Details', payload: 'DETAILS_{{1}}' }] },
    ],
  });

  it('POST /me/message_templates: junk and mutated valid templates never 5xx and never write partially', async () => {
    const statuses = new Set<number>();
    const body = fc.oneof(
      junkValue.map(junkToJson),
      objectWith(['name', 'language', 'category', 'components', 'notification_category', 'parameter_format']).map(
        junkToJson,
      ),
      fc.constant(null).chain(() => mutate(validTemplate())),
      fc.constant(null).map(() => JSON.stringify(validTemplate())),
      anyString,
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const before = { ...(await countAll(hub)), templates: await templateRows() };
        const res = await hub.app.inject({
          method: 'POST',
          url: `/v25.0/me/message_templates?access_token=${token}`,
          headers: { 'content-type': 'application/json' },
          payload,
        });
        const after = { ...(await countAll(hub)), templates: await templateRows() };
        expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
        assertPrototypeClean();
        statuses.add(res.statusCode);
        const diff = changed(before, after);
        if (res.statusCode !== 200) {
          expect(diff).toEqual({});
          expect(after.templates).toBe(before.templates);
        } else {
          expect(['APPROVED', 'REJECTED']).toContain(res.json().status);
          expect(diff).toEqual({ webhook_outbox: 1 });
          expect(after.templates).toBe(before.templates + 1);
        }
      }),
      { numRuns: RUNS },
    );
    expect(statuses.has(200) && statuses.has(400)).toBe(true);
  }, 60_000);

  it('utility sends: junk and mutated valid sends never 5xx and never write partially', async () => {
    const created = await hub.app.inject({
      method: 'POST',
      url: `/v25.0/me/message_templates?access_token=${token}`,
      payload: { ...validTemplate(), name: 'payment_sent' },
    });
    expect(created.json().status).toBe('APPROVED');
    const validSend = () => ({
      recipient: { id: fx.psid },
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'payment_sent',
          language: { code: 'en' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: '€5' },
                { type: 'text', text: 'Shop' },
              ],
            },
            { type: 'buttons', parameters: [{ type: 'POSTBACK', payload: 'p1' }] },
          ],
        },
      },
    });
    const statuses = new Set<number>();
    const body = fc.oneof(
      fc.constant(null).chain(() => mutate(validSend())),
      fc.constant(null).map(() => JSON.stringify(validSend())),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const before = await countAll(hub);
        const res = await hub.app.inject({
          method: 'POST',
          url: `/v25.0/me/messages?access_token=${token}`,
          headers: { 'content-type': 'application/json' },
          payload,
        });
        const diff = changed(before, await countAll(hub));
        expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
        assertPrototypeClean();
        statuses.add(res.statusCode);
        if (res.statusCode !== 200) expect(diff, res.body.slice(0, 200)).toEqual({});
        else if (res.json().message_id !== undefined)
          expect(diff).toEqual({ messages: 1, customer_events: 1, webhook_outbox: 1 });
      }),
      { numRuns: RUNS },
    );
    expect(statuses.has(200) && statuses.has(400)).toBe(true);
  }, 60_000);
});
