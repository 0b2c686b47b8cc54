import { describe, expect, it, vi } from 'vitest';
import { fakeFetch, jsonResponse } from '../../test/fake-fetch.js';
import { PAGE_ID, PSID, envelope, items } from '../../test/fixtures.js';
import { WebhookPayloadError } from '../errors.js';
import { Platform } from '../platform.js';
import { Bot, type BotEventName } from './bot.js';

const recordAll = () => {
  const seen: [BotEventName, unknown][] = [];
  const bot = new Bot();
  const names: BotEventName[] = [
    'message',
    'quick_reply',
    'postback',
    'account_linked',
    'account_unlinked',
    'handover',
    'delivery',
    'read',
    'echo',
    'optin',
    'feedback',
    'standby',
    'unknown',
  ];
  for (const name of names) bot.on(name, (event) => void seen.push([name, event]));
  return { bot, seen };
};

describe('Bot.dispatch', () => {
  const routes: [keyof typeof items, BotEventName][] = [
    ['message', 'message'],
    ['quickReply', 'quick_reply'],
    ['echo', 'echo'],
    ['postback', 'postback'],
    ['delivery', 'delivery'],
    ['read', 'read'],
    ['linked', 'account_linked'],
    ['unlinked', 'account_unlinked'],
    ['optin', 'optin'],
    ['pass', 'handover'],
    ['take', 'handover'],
    ['request', 'handover'],
    ['appRoles', 'handover'],
    ['feedback', 'feedback'],
    ['reaction', 'unknown'],
  ];
  for (const [item, name] of routes) {
    it(`routes a ${item} item to ${name}`, async () => {
      const { bot, seen } = recordAll();
      await expect(bot.dispatch(envelope([items[item]]))).resolves.toEqual({ handled: 1, unhandled: 0, duplicates: 0 });
      expect(seen).toEqual([[name, items[item]]]);
    });
  }

  it('passes the typed payloads to the on* helpers', async () => {
    const got: unknown[] = [];
    const bot = new Bot()
      .onMessage((e) => void got.push(e.message.text))
      .onQuickReply((e) => void got.push(e.message.quick_reply.payload))
      .onPostback((e) => void got.push(e.postback.payload))
      .onAccountLinked((e) => void got.push(e.account_linking.consent?.categories))
      .onAccountUnlinked((e) => void got.push(e.account_linking.status))
      .onHandover((e) => void got.push('app_roles' in e ? 'roles' : 'control'))
      .onDelivery((e) => void got.push(e.delivery.mids))
      .onRead((e) => void got.push(e.read.watermark))
      .onEcho((e) => void got.push(e.message.app_id))
      .onOptin((e) => void got.push(e.optin.ref))
      .onStandby((e) => void got.push(`standby:${e.timestamp}`))
      .onUnknown(() => void got.push('unknown'));
    const all = Object.values(items);
    await bot.dispatch(envelope(all, [items.message]));
    expect(got).toEqual([
      'hello',
      'ACC_SAVINGS',
      42,
      'GET_STARTED',
      ['m_1'],
      1_700_000_000_000,
      ['fraud_alert'],
      'unlinked',
      'PLUGIN',
      'control',
      'control',
      'control',
      'roles',
      'unknown',
      `standby:${items.message.timestamp}`,
    ]);
  });

  it('sends quick replies to onMessage when no onQuickReply is registered', async () => {
    const onMessage = vi.fn();
    await new Bot().onMessage(onMessage).dispatch(envelope([items.quickReply]));
    expect(onMessage).toHaveBeenCalledOnce();
  });

  it('keeps standby items away from the regular handlers', async () => {
    const onMessage = vi.fn();
    const result = await new Bot().onMessage(onMessage).dispatch(envelope([], [items.message]));
    expect(onMessage).not.toHaveBeenCalled();
    expect(result).toEqual({ handled: 0, unhandled: 1, duplicates: 0 });
  });

  it('routes message_template_status_update changes to onTemplateStatus, other changes to onUnknown', async () => {
    const value = {
      event: 'REJECTED',
      message_template_id: '77',
      message_template_name: 'promo',
      message_template_language: 'en',
      reason: 'TAG_SHOULD_BE_MARKETING',
    };
    const statuses: unknown[] = [];
    const unknown: unknown[] = [];
    const contexts: unknown[] = [];
    const bot = new Bot()
      .onTemplateStatus((event, ctx) => void (statuses.push(event), contexts.push(ctx)))
      .onUnknown((item) => void unknown.push(item));
    const body = {
      object: 'page',
      entry: [
        {
          id: PAGE_ID,
          time: 5,
          changes: [
            { field: 'message_template_status_update', value },
            { field: 'feed', value: { verb: 'add' } },
          ],
        },
      ],
    };
    expect(await bot.dispatch(body)).toEqual({ handled: 2, unhandled: 0, duplicates: 0 });
    expect(statuses).toEqual([value]);
    expect(unknown).toEqual([{ field: 'feed', value: { verb: 'add' } }]);
    expect(contexts).toMatchObject([{ pageId: PAGE_ID, time: 5, customer: undefined }]);
  });

  it('gives handlers the page, standby flag and customer', async () => {
    const contexts: unknown[] = [];
    const bot = new Bot().onEcho((_e, ctx) => void contexts.push(ctx)).onOptin((_e, ctx) => void contexts.push(ctx));
    await bot.dispatch(envelope([items.echo, items.optin]));
    expect(contexts).toMatchObject([
      { pageId: PAGE_ID, standby: false, customer: PSID },
      { pageId: PAGE_ID, customer: { user_ref: 'uref-1' } },
    ]);
  });

  it('replies through the platform', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ recipient_id: PSID, message_id: 'm_9' }));
    const platform = new Platform({ baseUrl: 'http://hub.test', accessToken: 't', fetch });
    await new Bot({ platform })
      .onMessage((e, ctx) => ctx.reply(`echo: ${e.message.text}`))
      .dispatch(envelope([items.message]));
    expect(calls[0]!.body).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'echo: hello' },
    });
  });

  it('runs every item, then rejects with the first handler error', async () => {
    const seen: string[] = [];
    const bot = new Bot()
      .onMessage(() => {
        throw new Error('first');
      })
      .onRead(() => void seen.push('read'));
    await expect(bot.dispatch(envelope([items.message, items.read]))).rejects.toThrow('first');
    expect(seen).toEqual(['read']);
  });

  it('hands handler errors to onError instead when given', async () => {
    const onError = vi.fn();
    const bot = new Bot({ onError }).onMessage(() => Promise.reject(new Error('x')));
    await expect(bot.dispatch(envelope([items.message]))).resolves.toEqual({ handled: 1, unhandled: 0, duplicates: 0 });
    expect(onError).toHaveBeenCalledWith(expect.any(Error), items.message);
  });

  it('rejects a body that is not a page envelope', async () => {
    await expect(new Bot().dispatch({ object: 'user', entry: [] })).rejects.toBeInstanceOf(WebhookPayloadError);
    await expect(new Bot().dispatch('nope')).rejects.toMatchObject({ httpStatus: 400 });
  });
});

describe('Bot duplicate filter', () => {
  const once = (item: object, pageId = PAGE_ID) => ({
    object: 'page',
    entry: [{ id: pageId, time: 1_700_000_000_000, messaging: [item] }],
  });

  it('runs the handler once when the same webhook body arrives twice', async () => {
    const onMessage = vi.fn();
    const bot = new Bot().onMessage(onMessage);
    const body = envelope([items.message]);
    await expect(bot.dispatch(body)).resolves.toEqual({ handled: 1, unhandled: 0, duplicates: 0 });
    await expect(bot.dispatch(structuredClone(body))).resolves.toEqual({ handled: 0, unhandled: 0, duplicates: 1 });
    expect(onMessage).toHaveBeenCalledOnce();
  });

  it('recognises quick replies and postbacks by mid, and runs a postback without mid every time', async () => {
    const seen: string[] = [];
    const bot = new Bot()
      .onQuickReply((e) => void seen.push(e.message.mid))
      .onPostback((e) => void seen.push(e.postback.mid ?? 'no mid'));
    const { mid: _mid, ...postbackWithoutMid } = items.postback.postback;
    const noMid = { ...items.postback, postback: postbackWithoutMid };
    for (let i = 0; i < 2; i++) await bot.dispatch(envelope([items.quickReply, items.postback, noMid]));
    expect(seen).toEqual(['m_2', 'm_4', 'no mid', 'no mid']);
  });

  it('keeps pages apart, and standby copies apart from messaging ones', async () => {
    const seen: string[] = [];
    const bot = new Bot()
      .onMessage((_e, ctx) => void seen.push(ctx.pageId))
      .onStandby((_e, ctx) => void seen.push(`standby ${ctx.pageId}`));
    await bot.dispatch(once(items.message));
    await bot.dispatch(once(items.message, 'page-2'));
    await bot.dispatch(envelope([], [items.message]));
    await bot.dispatch(envelope([items.message], [items.message]));
    expect(seen).toEqual([PAGE_ID, 'page-2', `standby ${PAGE_ID}`]);
  });

  it('lets echoes, deliveries, reads, linking and handover items through every time', async () => {
    const { bot, seen } = recordAll();
    const body = envelope([items.echo, items.delivery, items.read, items.unlinked, items.pass, items.optin]);
    await bot.dispatch(body);
    await expect(bot.dispatch(body)).resolves.toEqual({ handled: 6, unhandled: 0, duplicates: 0 });
    expect(seen).toHaveLength(12);
  });

  it('does not remember an item whose handler failed, so the redelivery runs it', async () => {
    let calls = 0;
    const bot = new Bot().onMessage(() => {
      if (++calls === 1) throw new Error('database down');
    });
    await expect(bot.dispatch(envelope([items.message]))).rejects.toThrow('database down');
    await expect(bot.dispatch(envelope([items.message]))).resolves.toEqual({ handled: 1, unhandled: 0, duplicates: 0 });
    await expect(bot.dispatch(envelope([items.message]))).resolves.toEqual({ handled: 0, unhandled: 0, duplicates: 1 });
    expect(calls).toBe(2);
  });

  it('remembers an item whose error went to onError (the hub got 200 and will not retry)', async () => {
    const onMessage = vi.fn(() => Promise.reject(new Error('x')));
    const bot = new Bot({ onError: () => {} }).onMessage(onMessage);
    await bot.dispatch(envelope([items.message]));
    await bot.dispatch(envelope([items.message]));
    expect(onMessage).toHaveBeenCalledOnce();
  });

  it('holds a copy that arrives while the first is still running, then skips it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const onMessage = vi.fn(() => gate);
    const bot = new Bot().onMessage(onMessage);
    const first = bot.dispatch(envelope([items.message]));
    const second = bot.dispatch(envelope([items.message]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(onMessage).toHaveBeenCalledOnce();
    release();
    await expect(Promise.all([first, second])).resolves.toEqual([
      { handled: 1, unhandled: 0, duplicates: 0 },
      { handled: 0, unhandled: 0, duplicates: 1 },
    ]);
    expect(onMessage).toHaveBeenCalledOnce();
  });

  it('runs the held copy when the first one failed', async () => {
    let fail!: (error: Error) => void;
    const gate = new Promise<void>((_resolve, reject) => (fail = reject));
    const onMessage = vi.fn().mockImplementationOnce(() => gate);
    const bot = new Bot().onMessage(onMessage);
    const first = bot.dispatch(envelope([items.message]));
    const second = bot.dispatch(envelope([items.message]));
    fail(new Error('timeout'));
    await expect(first).rejects.toThrow('timeout');
    await expect(second).resolves.toEqual({ handled: 1, unhandled: 0, duplicates: 0 });
    expect(onMessage).toHaveBeenCalledTimes(2);
  });

  it('sees every copy with dedupe: false', async () => {
    const onMessage = vi.fn();
    const bot = new Bot({ dedupe: false }).onMessage(onMessage);
    await bot.dispatch(envelope([items.message]));
    await bot.dispatch(envelope([items.message]));
    expect(onMessage).toHaveBeenCalledTimes(2);
  });
});
