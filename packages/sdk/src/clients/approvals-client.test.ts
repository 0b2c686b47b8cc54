import { CreateApprovalRequestSchema } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { fakeFetch, graphError, jsonResponse } from '../../test/fake-fetch.js';
import { isPlatformApiError } from '../errors.js';
import { Platform } from '../platform.js';
import { Bot } from '../webhooks/bot.js';

const make = (...answers: Response[]) => {
  const { fetch, calls } = fakeFetch(...answers);
  return { platform: new Platform({ baseUrl: 'http://hub.test', accessToken: 'tok', fetch }), calls };
};

describe('ApprovalsClient', () => {
  it('posts a request the hub accepts to /me/approval_requests and answers its id', async () => {
    const { platform, calls } = make(jsonResponse({ id: 'apr_1' }));
    const answer = await platform.approvals.request({
      psid: '1234',
      kind: 'card_unlock',
      summary: 'Unlock card •••• 4821',
      details: { card_last4: '4821' },
    });
    expect(answer).toEqual({ id: 'apr_1' });
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.url.pathname).toMatch(/\/me\/approval_requests$/);
    // The body parses with the hub's own schema.
    expect(CreateApprovalRequestSchema.parse(calls[0]?.body)).toEqual({
      recipient: { id: '1234' },
      kind: 'card_unlock',
      summary: 'Unlock card •••• 4821',
      details: { card_last4: '4821' },
    });
  });

  it('throws PlatformApiError with the Graph code for an unknown PSID', async () => {
    const { platform } = make(graphError(100, { error_subcode: 2018001 }));
    const err = await platform.approvals.request({ psid: '9', kind: 'other', summary: 'x' }).catch((e: unknown) => e);
    expect(isPlatformApiError(err) && err.code === 100 && err.subcode === 2018001).toBe(true);
  });
});

describe('Bot.onApproval', () => {
  it('routes an `approvals` item to the handler with the decision typed', async () => {
    const seen: Array<[string, string]> = [];
    const bot = new Bot().onApproval((event, ctx) => {
      seen.push([event.approval.status, String(ctx.customer)]);
    });
    const item = {
      sender: { id: '1234' },
      recipient: { id: 'PAGE' },
      timestamp: 1,
      approval: {
        id: 'apr_1',
        kind: 'card_unlock',
        status: 'approved',
        details: { card_last4: '4821' },
        note: 'Called back',
        decided_at: 2,
        decided_by: { name: 'Sam' },
        requested_by: 'app',
      },
    };
    const result = await bot.dispatch({ object: 'page', entry: [{ id: 'PAGE', time: 1, messaging: [item] }] });
    expect(result).toEqual({ handled: 1, unhandled: 0, duplicates: 0 });
    expect(seen).toEqual([['approved', '1234']]);
    // A malformed decision is not typed as one: it goes to onUnknown (unhandled here).
    const bad = { ...item, approval: { ...item.approval, status: 'maybe' } };
    const again = await bot.dispatch({ object: 'page', entry: [{ id: 'PAGE', time: 1, messaging: [bad] }] });
    expect(again).toEqual({ handled: 0, unhandled: 1, duplicates: 0 });
  });
});
