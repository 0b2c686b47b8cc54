/**
 * The customer's own assistant end to end: the official MCP SDK client, with its OAuth
 * support (discovery from the 401, dynamic registration, PKCE), against a real hub and the
 * sandbox bank on loopback. The consent screen is driven over HTTP with the customer's
 * session (tests/browser has the real-browser run of it).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAssistant, type ConnectedAssistant } from '../../apps/sandbox-bank/src/demo/assistant-client.js';
import { linkBankAccount, logIn, messages } from './chat-helpers.js';
import { Browser, eventually, startWorld, type World } from './helpers.js';

let w: World | undefined;
let assistant: ConnectedAssistant | undefined;
afterEach(async () => {
  await assistant?.close().catch(() => undefined);
  assistant = undefined;
  await w?.close();
  w = undefined;
});

const REDIRECT = 'http://127.0.0.1:33418/callback';
const result = <T>(r: unknown) => (r as { structuredContent: { result: T } }).structuredContent.result;

/** The customer on the hub's consent screen: ticks the bank, the given categories, and act. */
function consentAs(browser: Browser, pageId: string, categories: string[], act: boolean) {
  return async (url: URL): Promise<string> => {
    const page = await browser.request(url.href);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sandbox Bank');
    const form: Record<string, string | string[]> = {};
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      form[m[1] ?? ''] = (m[2] ?? '').replaceAll('&amp;', '&');
    Object.assign(form, { action: 'continue', pages: [pageId], categories, ...(act ? { act: 'yes' } : {}) });
    const back = await browser.request(`${url.origin}/oauth/authorize`, { form });
    expect(back.status).toBe(303);
    const location = new URL(back.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    return location.searchParams.get('code') ?? '';
  };
}

describe('an MCP assistant against a real hub and the sandbox bank', () => {
  it('OAuth with registration and PKCE; lists businesses, reads granted categories only, asks for the balance, answers a fraud alert; revocation → 401', async () => {
    w = await startWorld({ BANK_NOTIFY_TRANSACTIONS: 'true' });
    const world = w;
    const { browser, conversationId } = await logIn(world, 'alice', 'alice-demo-password');
    await linkBankAccount(
      world,
      browser,
      conversationId,
      ['alice', 'alice-bank-pass'],
      ['balances', 'transactions', 'fraud_alerts'],
    );

    assistant = await connectAssistant({
      hubUrl: world.hubUrl,
      redirectUrl: REDIRECT,
      clientName: 'E2E Assistant',
      authorize: consentAs(browser, world.page.pageId, ['balances', 'fraud_alerts'], true),
    });
    const client = assistant.client;
    expect(assistant.tokens()?.scope).toBe('read act');

    expect(result(await client.callTool({ name: 'list_businesses', arguments: {} }))).toEqual([
      {
        id: world.page.pageId,
        name: 'Sandbox Bank',
        kind: 'bank',
        linked: true,
        readable_categories: ['balances', 'fraud_alerts'],
      },
    ]);

    // A staged payment: the bank sends a fraud alert (granted) and may send transaction notices (not granted).
    // A burst of card-not-present payments: the first ones pass (transaction notices), a later one opens a case.
    await world.bank.simulator.stage('cnp_burst', 'cus_alice', 'card_alice_credit');
    await eventually(
      async () => (await messages(browser, conversationId)).find((m) => m.notification_category === 'transactions'),
      'a transaction notice in the chat',
    );
    const { txn, alert } = await world.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    await eventually(
      async () => (await messages(browser, conversationId)).find((m) => m.notification_category === 'fraud_alerts'),
      'the alert in the chat',
    );
    const updates = result<Array<{ category: string; text: string; open_question?: { answers: string[] } }>>(
      await client.callTool({ name: 'get_updates', arguments: { limit: 50 } }),
    );
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u) => u.category === 'balances' || u.category === 'fraud_alerts')).toBe(true);
    const open = updates.find((u) => u.category === 'fraud_alerts' && u.open_question !== undefined);
    expect(open?.text).toContain(String(alert?.ref));
    expect(open?.open_question?.answers).toEqual(['Yes, it was me', 'No, not me']);
    await expect(
      client.callTool({ name: 'get_updates', arguments: { category: 'transactions' } }),
    ).rejects.toMatchObject({ code: -32003 });

    // The question reaches the bank's bot as a message from the assistant surface; its answer comes back.
    const asked = result<{ status: string; replies: string[] }>(
      await client.callTool({
        name: 'ask_business',
        arguments: { business: world.page.pageId, question: 'What is my balance?', wait_seconds: 10 },
      }),
    );
    expect(asked.status).toBe('answered');
    expect(asked.replies.join('\n')).toContain('Your balances:');

    // Typed answers from the assistant surface are questions only: the bank refuses to act on them.
    const typed = result<{ status: string; replies: string[] }>(
      await client.callTool({
        name: 'ask_business',
        arguments: { business: world.page.pageId, question: 'No, not me', wait_seconds: 10 },
      }),
    );
    expect(typed.replies.join('\n')).toContain('Your assistant can ask me questions');
    expect(
      (
        await world.bank.db
          .selectFrom('transactions')
          .select('status')
          .where('id', '=', txn.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('pending');

    // Answered with act: the same path as the chat's button, so the bank settles its case.
    const answered = result<{ status: string; replies: string[] }>(
      await client.callTool({
        name: 'answer_fraud_alert',
        arguments: { business: world.page.pageId, answer: 'No, not me', wait_seconds: 10 },
      }),
    );
    expect(answered.status).toBe('answered');
    await eventually(
      async () =>
        (
          await world.bank.db
            .selectFrom('transactions')
            .select('status')
            .where('id', '=', txn.id)
            .executeTakeFirstOrThrow()
        ).status === 'rejected'
          ? true
          : undefined,
      'the case settled',
    );
    expect(await world.bank.ledger.card('card_alice_debit')).toMatchObject({
      status: 'locked',
      lock_reason: 'fraud_confirmed',
    });
    const tapped = (await messages(browser, conversationId)).find((m) => m.notification_category === 'fraud_alerts');
    expect(tapped).toMatchObject({ awaits_answer: false, answered_postback: { title: 'No, not me' } });

    // The access log shows the assistant's reads with their purpose.
    const log = await browser.api<{ data: Array<{ action: string; purpose: string | null; actor: string }> }>(
      '/api/privacy/access-log?limit=200',
    );
    const relayed = log.data.filter((e) => e.purpose === 'assistant_relay');
    expect(relayed.map((e) => e.action)).toEqual(
      expect.arrayContaining(['content.access', 'assistant.read', 'assistant.action']),
    );

    // Revoked in the privacy center: the very next call fails with 401 and the proper challenge.
    const { data } = await browser.api<{ data: Array<{ id: string; name: string }> }>('/api/privacy/assistants');
    expect(data.map((a) => a.name)).toEqual(['E2E Assistant']);
    await browser.api(`/api/privacy/assistants/${data[0]?.id}`, { method: 'DELETE' });
    const raw = await fetch(`${world.hubUrl}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${assistant.tokens()?.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="The customer revoked this assistant.", resource_metadata="${world.hubUrl}/.well-known/oauth-protected-resource/mcp"`,
    );
    // The SDK cannot refresh its way back in: the refresh tokens were revoked with the grant.
    await expect(client.callTool({ name: 'list_businesses', arguments: {} })).rejects.toThrow();
  });

  it('the demo script (npm run demo:assistant) connects, lists businesses, asks the bank for the balance and reads the latest fraud alert', async () => {
    w = await startWorld();
    const world = w;
    const { browser, conversationId } = await logIn(world, 'alice', 'alice-demo-password');
    await linkBankAccount(world, browser, conversationId, ['alice', 'alice-bank-pass'], ['balances', 'fraud_alerts']);
    await world.bank.simulator.stage('amount_anomaly', 'cus_alice', 'card_alice_debit');
    const script = fileURLToPath(new URL('../../apps/sandbox-bank/dist/demo/mcp-demo.js', import.meta.url));
    const child = spawn(process.execPath, [script, world.hubUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const consentUrl = await eventually(
      async () => /(http:\/\/\S+\/oauth\/authorize\?\S+)/.exec(out)?.[1],
      'the consent URL',
    );
    const redirect = new URL(consentUrl).searchParams.get('redirect_uri') ?? '';
    const page = await browser.request(consentUrl);
    const form: Record<string, string | string[]> = {};
    for (const m of (await page.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      form[m[1] ?? ''] = (m[2] ?? '').replaceAll('&amp;', '&');
    const back = await browser.request(`${world.hubUrl}/oauth/authorize`, {
      form: { ...form, action: 'continue', pages: [world.page.pageId], categories: ['balances', 'fraud_alerts'] },
    });
    const location = back.headers.get('location') ?? '';
    expect(location.startsWith(`${redirect}?code=`)).toBe(true);
    await fetch(location);
    expect(await exited, out).toBe(0);
    expect(out).toContain('Your businesses: Sandbox Bank (bank)');
    expect(out).toContain('Your balances:');
    expect(out).toMatch(/Latest fraud alert:[\s\S]*"category": "fraud_alerts"/);
  });
});
