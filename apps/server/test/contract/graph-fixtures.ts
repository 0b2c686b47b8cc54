/**
 * Fixtures for the Platform API contract suites: a page with a customer who has just
 * written (so the 24-hour window is open), and a Graph call helper over `inject`.
 */
import type { Hub } from '../../src/hub.js';
import { createPage, openConversation, signUp } from '../helpers.js';

export interface GraphFixture {
  page: Awaited<ReturnType<typeof createPage>>;
  customer: { cookie: string; id: string; username: string };
  conversationId: string;
  psid: string;
}

/** A page, a customer and their open conversation; the customer wrote first unless `silent`. */
export async function buildGraphFixture(
  hub: Hub,
  options: { silent?: boolean; page?: GraphFixture['page'] } = {},
): Promise<GraphFixture> {
  const page = options.page ?? (await createPage(hub));
  const customer = await signUp(hub);
  const conv = await openConversation(hub, customer.cookie, page.page_id);
  if (!options.silent) {
    const res = await hub.app.inject({
      method: 'POST',
      url: `/api/conversations/${conv.id}/messages`,
      headers: { cookie: customer.cookie },
      payload: { text: 'hi' },
    });
    if (res.statusCode !== 201) throw new Error(`customer message failed: ${res.body}`);
  }
  const row = await hub.ctx.storage.db
    .selectFrom('conversations')
    .select('psid')
    .where('id', '=', conv.id)
    .executeTakeFirstOrThrow();
  return { page, customer, conversationId: conv.id, psid: row.psid };
}

/** A JSON Send API body with text. */
export function textSend(psid: string, text = 'hello', extra: Record<string, unknown> = {}) {
  return { recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text }, ...extra };
}

/** Messages the customer sees, oldest first. */
export async function customerMessages(
  hub: Hub,
  fx: GraphFixture,
): Promise<Array<{ mid: string; direction: string; body: Record<string, unknown> }>> {
  const res = await hub.app.inject({
    method: 'GET',
    url: `/api/conversations/${fx.conversationId}/messages?limit=200`,
    headers: { cookie: fx.customer.cookie },
  });
  if (res.statusCode !== 200) throw new Error(`messages failed: ${res.body}`);
  return (res.json().data as Array<{ mid: string; direction: string; body: Record<string, unknown> }>).reverse();
}

/** Number of rows in a table (to prove nothing was written). */
export async function countRows(
  hub: Hub,
  table: 'messages' | 'attachments' | 'personas' | 'webhook_outbox' | 'message_attachments',
): Promise<number> {
  const row = await hub.ctx.storage.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** PHP-style bracket pairs of a nested value: `a[b][0]=v`. */
export function bracketPairs(value: unknown, prefix = ''): Array<[string, string]> {
  if (value === null || typeof value !== 'object') return [[prefix, String(value)]];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value as Record<string, unknown>);
  return entries.flatMap(([k, v]) => bracketPairs(v, prefix === '' ? k : `${prefix}[${k}]`));
}

/**
 * Messages other than the hub's own (consent notices and reminders: direction `out`, no app),
 * to prove a refused send stored nothing although the hub told the customer about it.
 */
export async function countNonHubMessages(hub: Hub): Promise<number> {
  const row = await hub.ctx.storage.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .where((eb) => eb.or([eb('direction', '=', 'in'), eb('app_id', 'is not', null)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
