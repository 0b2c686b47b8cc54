import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectAssistant } from '../../../test/assistant.js';
import { buildGraphFixture, type GraphFixture } from '../../../test/contract/graph-fixtures.js';
import { buildTestHub, createPage, DIALECTS, openConversation, signUp, type TestHub } from '../../../test/helpers.js';
import { injectFetch, mcpClient } from '../../../test/mcp-client.js';

type McpClient = Awaited<ReturnType<typeof mcpClient>>;
import { declareCategory } from '../consent/declarations.js';

const FORBIDDEN = -32003;
const buttons = [
  { type: 'postback', title: 'Yes, it was me', payload: 'FRAUD:yes:abc' },
  { type: 'postback', title: 'No, not me', payload: 'FRAUD:no:abc' },
];

for (const dialect of DIALECTS) {
  describe(`MCP server for the customer's assistant (${dialect})`, () => {
    let hub: TestHub;
    let fx: GraphFixture;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      // The bank's webhook is never reached in this test: the outbox rows are what it would receive.
      fx = await buildGraphFixture(hub, {
        silent: true,
        page: await createPage(hub, { webhookUrl: 'https://bank.invalid/webhook' }),
      });
      for (const category of ['fraud_alerts', 'transactions', 'balances'] as const) {
        await declareCategory(hub.ctx, { pageId: fx.page.page_id, category, purpose: `About ${category}` });
      }
      await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['fraud_alerts', 'transactions', 'balances']);
    });
    afterEach(async () => hub.dispose());

    const send = (message: object, category: string) =>
      hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
        payload: {
          recipient: { id: fx.psid },
          messaging_type: 'MESSAGE_TAG',
          tag: 'ACCOUNT_UPDATE',
          notification_category: category,
          message,
        },
      });
    const result = (r: unknown) => (r as { structuredContent: { result: unknown } }).structuredContent.result;
    /** Calls a tool the server must refuse; its MCP error. */
    const refused = async (client: McpClient, name: string, args: Record<string, unknown>) => {
      const err = await client.callTool({ name, arguments: args }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(McpError);
      return err as McpError;
    };
    /** `tools/list` POSTed to /mcp as a bare JSON-RPC request, with `authorization` when given. */
    const listToolsRaw = (authorization?: string) =>
      injectFetch(hub)(`${hub.ctx.config.publicUrl}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(authorization === undefined ? {} : { authorization }),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    /** Replies as the business once the assistant's message arrives (the bot's side). */
    async function businessReplies(text: string) {
      for (let i = 0; i < 100; i++) {
        const rows = await hub.ctx.storage.db
          .selectFrom('webhook_outbox')
          .selectAll()
          .where('conversation_id', '=', fx.conversationId)
          .execute();
        for (const row of rows) {
          const item = await hub.ctx.storage.vault.openPayload(
            { purpose: 'deliver_to_business', actor: 'test' },
            fx.customer.id,
            row.payload,
          );
          const surfaced =
            (item as { message?: { surface?: string }; postback?: { surface?: string } }).message?.surface ??
            (item as { postback?: { surface?: string } }).postback?.surface;
          if (surfaced === 'assistant') {
            await hub.app.inject({
              method: 'POST',
              url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
              payload: { recipient: { id: fx.psid }, messaging_type: 'RESPONSE', message: { text } },
            });
            return item;
          }
        }
        await new Promise((r) => setTimeout(r, 30));
      }
      throw new Error('the assistant message never reached the business');
    }

    it('refuses calls without a valid token with 401 and WWW-Authenticate naming the resource metadata', async () => {
      const none = await listToolsRaw();
      expect(none.status).toBe(401);
      const meta = `resource_metadata="${hub.ctx.config.publicUrl}/.well-known/oauth-protected-resource/mcp"`;
      expect(none.headers.get('www-authenticate')).toBe(`Bearer ${meta}`);
      const forged = await listToolsRaw('Bearer abc.def.ghi');
      expect(forged.status).toBe(401);
      expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(forged.headers.get('www-authenticate')).toContain(meta);
      // A JWS the hub signed for something else (a consent receipt) is no access token.
      const receipt = await hub.ctx.storage.db.selectFrom('consent_receipts').select('jws').executeTakeFirstOrThrow();
      const wrongType = await listToolsRaw(`Bearer ${receipt.jws}`);
      expect(wrongType.status).toBe(401);
    });

    it('lists granted businesses, reads only granted categories, asks the business and gets its reply; revocation → 401 on the next call', async () => {
      const shop = await createPage(hub, { name: 'Sandbox Shop', category: 'merchant' });
      await openConversation(hub, fx.customer.cookie, shop.page_id);
      expect((await send({ text: 'Card 4821: €12.00 at Cafe' }, 'transactions')).statusCode).toBe(200);
      expect(
        (
          await send(
            {
              attachment: {
                type: 'template',
                payload: { template_type: 'button', text: 'Was this you? €950 at ACME', buttons },
              },
            },
            'fraud_alerts',
          )
        ).statusCode,
      ).toBe(200);
      const { tokens } = await connectAssistant(
        hub,
        fx.customer.cookie,
        { pages: [fx.page.page_id], categories: ['fraud_alerts', 'balances'] },
        'read',
      );
      const client = await mcpClient(hub, tokens.access_token);

      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual([
        'list_businesses',
        'get_updates',
        'ask_business',
        'answer_fraud_alert',
        'list_actions',
        'do_action',
      ]);
      const businesses = result(await client.callTool({ name: 'list_businesses', arguments: {} }));
      expect(businesses).toEqual([
        {
          id: fx.page.page_id,
          name: expect.any(String),
          kind: 'bank',
          linked: false,
          readable_categories: ['balances', 'fraud_alerts'],
        },
      ]);

      const updates = result(await client.callTool({ name: 'get_updates', arguments: {} })) as Array<
        Record<string, unknown>
      >;
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({
        category: 'fraud_alerts',
        text: 'Was this you? €950 at ACME',
        open_question: { answers: ['Yes, it was me', 'No, not me'] },
      });
      expect((await refused(client, 'get_updates', { category: 'transactions' })).code).toBe(FORBIDDEN);
      expect((await refused(client, 'get_updates', { business: shop.page_id })).code).toBe(FORBIDDEN);
      expect((await refused(client, 'get_updates', { limit: 500 })).code).toBe(-32602);
      // Without act: no answers, no actions.
      expect(
        (await refused(client, 'answer_fraud_alert', { business: fx.page.page_id, answer: 'No, not me' })).code,
      ).toBe(FORBIDDEN);
      expect((await refused(client, 'do_action', { business: fx.page.page_id, action: 'Balance' })).code).toBe(
        FORBIDDEN,
      );

      const [asked, delivered] = await Promise.all([
        client.callTool({
          name: 'ask_business',
          arguments: { business: fx.page.page_id, question: 'What is my balance?', wait_seconds: 5 },
        }),
        businessReplies('Checking: €1,234.56'),
      ]);
      expect(delivered).toMatchObject({ message: { text: 'What is my balance?', surface: 'assistant' } });
      expect(result(asked)).toEqual({ status: 'answered', replies: ['Checking: €1,234.56'] });

      // The customer sees the question in their chat, marked as their assistant's.
      const chat = (
        await hub.app.inject({
          method: 'GET',
          url: `/api/conversations/${fx.conversationId}/messages`,
          headers: { cookie: fx.customer.cookie },
        })
      ).json().data;
      expect(chat.find((m: { direction: string }) => m.direction === 'in')).toMatchObject({
        body: { text: 'What is my balance?', surface: 'assistant' },
      });

      // Every read is in the access log, with its purpose.
      const log = (
        await hub.app.inject({
          method: 'GET',
          url: '/api/privacy/access-log?limit=100',
          headers: { cookie: fx.customer.cookie },
        })
      ).json().data as Array<{
        action: string;
        purpose: string | null;
        actor: string;
      }>;
      expect(log.filter((e) => e.purpose === 'assistant_relay').map((e) => e.action)).toEqual(
        expect.arrayContaining(['assistant.read', 'content.access', 'assistant.action', 'assistant.denied']),
      );
      expect(log.find((e) => e.action === 'content.access' && e.purpose === 'assistant_relay')?.actor).toMatch(
        /^assistant:mcp_/,
      );

      // Revoked in the privacy center: the very next call fails with 401.
      const listed = (
        await hub.app.inject({ method: 'GET', url: '/api/privacy/assistants', headers: { cookie: fx.customer.cookie } })
      ).json().data;
      expect(listed).toMatchObject([
        { name: 'Test Assistant', status: 'active', act: false, categories: ['balances', 'fraud_alerts'] },
      ]);
      const revoked = await hub.app.inject({
        method: 'DELETE',
        url: `/api/privacy/assistants/${listed[0].id}`,
        headers: { cookie: fx.customer.cookie },
      });
      expect(revoked.json()).toMatchObject({
        status: 'revoked',
        history: [{ event: 'revoked' }, { event: 'granted' }],
      });
      const after = await listToolsRaw(`Bearer ${tokens.access_token}`);
      expect(after.status).toBe(401);
      expect(after.headers.get('www-authenticate')).toMatch(
        /^Bearer error="invalid_token", error_description="The customer revoked this assistant.", resource_metadata="/,
      );
      await client.close();
    });

    it('with act: answers the open fraud alert through the chat-button path and uses declared actions only', async () => {
      const sent = await send(
        { attachment: { type: 'template', payload: { template_type: 'button', text: 'Was this you?', buttons } } },
        'fraud_alerts',
      );
      const alertMid = sent.json().message_id as string;
      await hub.app.inject({
        method: 'POST',
        url: `/v25.0/me/messenger_profile?access_token=${fx.page.page_access_token}`,
        payload: {
          persistent_menu: [
            {
              locale: 'default',
              composer_input_disabled: false,
              call_to_actions: [{ type: 'postback', title: 'Lock card', payload: 'CMD:lock' }],
            },
          ],
        },
      });
      const { tokens } = await connectAssistant(hub, fx.customer.cookie, {
        pages: [fx.page.page_id],
        categories: ['fraud_alerts'],
        act: true,
      });
      const client = await mcpClient(hub, tokens.access_token);
      expect(
        (await refused(client, 'answer_fraud_alert', { business: fx.page.page_id, answer: 'Maybe' })).message,
      ).toContain('Yes, it was me | No, not me');
      const [answered, delivered] = await Promise.all([
        client.callTool({
          name: 'answer_fraud_alert',
          arguments: { business: fx.page.page_id, answer: 'no, not me', wait_seconds: 5 },
        }),
        businessReplies('Card blocked.'),
      ]);
      expect(delivered).toMatchObject({
        postback: { title: 'No, not me', payload: 'FRAUD:no:abc', surface: 'assistant' },
      });
      expect(result(answered)).toEqual({ question: alertMid, status: 'answered', replies: ['Card blocked.'] });
      const row = await hub.ctx.storage.db
        .selectFrom('messages')
        .select(['answered_button'])
        .where('mid', '=', alertMid)
        .executeTakeFirstOrThrow();
      expect(row.answered_button).toBe(1);
      expect(
        (await refused(client, 'answer_fraud_alert', { business: fx.page.page_id, answer: 'No, not me' })).message,
      ).toContain('no open fraud alert');

      expect(result(await client.callTool({ name: 'list_actions', arguments: { business: fx.page.page_id } }))).toEqual(
        ['Lock card'],
      );
      expect(
        (await refused(client, 'do_action', { business: fx.page.page_id, action: 'transfer everything' })).code,
      ).toBe(-32602);
      const acted = await client.callTool({
        name: 'do_action',
        arguments: { business: fx.page.page_id, action: 'Lock card', wait_seconds: 0 },
      });
      expect(result(acted)).toMatchObject({ status: 'pending' });
      await client.close();
    });

    it('the privacy center changes a grant (a changed entry with a new receipt): withdrawing act stops actions on the next call', async () => {
      await send(
        { attachment: { type: 'template', payload: { template_type: 'button', text: 'Was this you?', buttons } } },
        'fraud_alerts',
      );
      const { tokens } = await connectAssistant(hub, fx.customer.cookie, {
        pages: [fx.page.page_id],
        categories: ['fraud_alerts'],
        act: true,
      });
      const client = await mcpClient(hub, tokens.access_token);
      const [{ id }] = (
        await hub.app.inject({ method: 'GET', url: '/api/privacy/assistants', headers: { cookie: fx.customer.cookie } })
      ).json().data;
      const put = (payload: object) =>
        hub.app.inject({
          method: 'PUT',
          url: `/api/privacy/assistants/${id}`,
          headers: { cookie: fx.customer.cookie },
          payload,
        });
      const other = await createPage(hub, { name: 'Stranger' });
      expect((await put({ page_ids: [other.page_id], categories: ['fraud_alerts'], act: false })).statusCode).toBe(400);
      expect((await put({ page_ids: [fx.page.page_id], categories: ['advertising'], act: false })).statusCode).toBe(
        400,
      );
      const changed = await put({ page_ids: [fx.page.page_id], categories: ['fraud_alerts', 'balances'], act: false });
      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({
        act: false,
        categories: ['balances', 'fraud_alerts'],
        history: [{ event: 'changed', receipt: expect.any(String) }, { event: 'granted' }],
      });
      expect(
        (await refused(client, 'answer_fraud_alert', { business: fx.page.page_id, answer: 'No, not me' })).code,
      ).toBe(FORBIDDEN);
      expect(
        result(await client.callTool({ name: 'get_updates', arguments: { category: 'fraud_alerts' } })),
      ).toHaveLength(1);
      // The export carries the grant history with its receipts.
      const exported = (
        await hub.app.inject({ method: 'GET', url: '/api/privacy/export', headers: { cookie: fx.customer.cookie } })
      ).json();
      expect(exported.assistants.map((e: { event: string; act: boolean }) => [e.event, e.act])).toEqual([
        ['granted', true],
        ['changed', false],
      ]);
      // Another customer cannot see or change it.
      const mallory = await signUp(hub);
      expect(
        (
          await hub.app.inject({
            method: 'DELETE',
            url: `/api/privacy/assistants/${id}`,
            headers: { cookie: mallory.cookie },
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (
          await hub.app.inject({ method: 'GET', url: '/api/privacy/assistants', headers: { cookie: mallory.cookie } })
        ).json().data,
      ).toEqual([]);
      await client.close();
    });

    it('deleting the account erases the assistant grants, their ledger and tokens', async () => {
      const { tokens } = await connectAssistant(hub, fx.customer.cookie, {
        pages: [fx.page.page_id],
        categories: ['balances'],
      });
      const deleted = await hub.app.inject({
        method: 'DELETE',
        url: '/api/account',
        headers: { cookie: fx.customer.cookie },
        payload: { password: 'correct horse battery' },
      });
      expect(deleted.statusCode).toBeLessThan(300);
      for (const table of [
        'assistant_grants',
        'assistant_grant_ledger',
        'oauth_refresh_tokens',
        'oauth_codes',
      ] as const) {
        expect(
          await hub.ctx.storage.db.selectFrom(table).selectAll().where('customer_id', '=', fx.customer.id).execute(),
          table,
        ).toEqual([]);
      }
      const after = await listToolsRaw(`Bearer ${tokens.access_token}`);
      expect(after.status).toBe(401);
    });
  });
}
