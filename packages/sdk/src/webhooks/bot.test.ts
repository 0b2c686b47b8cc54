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
    ['reaction', 'unknown'],
  ];
  for (const [item, name] of routes) {
    it(`routes a ${item} item to ${name}`, async () => {
      const { bot, seen } = recordAll();
      await expect(bot.dispatch(envelope([items[item]]))).resolves.toEqual({ handled: 1, unhandled: 0 });
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
    expect(result).toEqual({ handled: 0, unhandled: 1 });
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
    await new Bot({ platform }).onMessage((e, ctx) => ctx.reply(`echo: ${e.message.text}`)).dispatch(envelope([items.message]));
    expect(calls[0]!.body).toEqual({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'echo: hello' } });
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
    await expect(bot.dispatch(envelope([items.message]))).resolves.toEqual({ handled: 1, unhandled: 0 });
    expect(onError).toHaveBeenCalledWith(expect.any(Error), items.message);
  });

  it('rejects a body that is not a page envelope', async () => {
    await expect(new Bot().dispatch({ object: 'user', entry: [] })).rejects.toBeInstanceOf(WebhookPayloadError);
    await expect(new Bot().dispatch('nope')).rejects.toMatchObject({ httpStatus: 400 });
  });
});
