/** Shared set-up of the agent inbox tests: a bank page, agents, customers who wrote, handovers. */
import { PAGE_INBOX_APP_ID } from '@confide/protocol';
import { afterEach, beforeEach, expect } from 'vitest';
import WebSocket from 'ws';
import {
  buildTestHub,
  createPage,
  openConversation,
  signUp,
  testClock,
  type DialectName,
  type TestClock,
  type TestHub,
} from './helpers.js';

export type Page = Awaited<ReturnType<typeof createPage>>;
export const AGENT_PASSWORD = 'agent password 1';

/** What each test of an inbox suite starts from: a new hub, its clock, and two bank pages. */
export interface InboxHub {
  hub: TestHub;
  clock: TestClock;
  /** The page under test. */
  bank: Page;
  /** Another bank, whose agents and customers must never see the first one's. */
  otherBank: Page;
}

/**
 * Registers the set-up of an inbox suite in the surrounding `describe`: before each test, a hub on
 * `dialect` (a test clock; `env` defaults to the API and realtime services) with the two bank pages,
 * handed to `use`; after it, the hub is disposed.
 */
export function eachInboxHub(
  dialect: DialectName,
  use: (state: InboxHub) => void,
  env: Record<string, string> = { SERVICES: 'api,realtime' },
): void {
  let hub: TestHub | undefined;
  beforeEach(async () => {
    const clock = testClock();
    hub = await buildTestHub({ dialect, clock, env });
    const bank = await createPage(hub, { name: 'Inbox Bank', webhookUrl: 'http://127.0.0.1:9/hook', verifyToken: 'v' });
    const otherBank = await createPage(hub, {
      name: 'Other Bank',
      webhookUrl: 'http://127.0.0.1:9/other',
      verifyToken: 'v',
    });
    use({ hub, clock, bank, otherBank });
  });
  afterEach(async () => {
    await hub?.dispose();
    hub = undefined;
  });
}

export function inboxKit(hubOf: () => TestHub) {
  const hub = () => hubOf();
  const createAgent = (page: Page, username: string, displayName?: string) =>
    hub().services.agents.create({ pageId: page.page_id, username, password: AGENT_PASSWORD, displayName });

  async function logIn(username: string): Promise<string> {
    const res = await hub().app.inject({
      method: 'POST',
      url: '/inbox/api/login',
      payload: { username, password: AGENT_PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return `confide_agent=${res.cookies.find((c) => c.name === 'confide_agent')?.value}`;
  }

  const agentCall = (cookie: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    hub().app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) });

  async function say(cookie: string, conversationId: string, text: string): Promise<void> {
    const res = await hub().app.inject({
      method: 'POST',
      url: `/api/conversations/${conversationId}/messages`,
      headers: { cookie },
      payload: { text },
    });
    expect(res.statusCode).toBeLessThan(300);
  }

  /** A customer with a conversation with `page` who has written once. */
  async function customerWith(page: Page, username: string, text = `hello from ${username}`) {
    const customer = await signUp(hub(), username);
    const conv = await openConversation(hub(), customer.cookie, page.page_id);
    await say(customer.cookie, conv.id, text);
    const { psid } = await hub()
      .ctx.storage.db.selectFrom('conversations')
      .select('psid')
      .where('id', '=', conv.id)
      .executeTakeFirstOrThrow();
    return { ...customer, conversationId: conv.id, psid };
  }

  /** The bank's bot passes the thread to the page inbox through the Graph handover endpoint. */
  async function handOver(page: Page, psid: string, metadata = 'needs a human'): Promise<void> {
    const res = await hub().app.inject({
      method: 'POST',
      url: `/v25.0/me/pass_thread_control?access_token=${page.page_access_token}`,
      payload: { recipient: { id: psid }, target_app_id: PAGE_INBOX_APP_ID, metadata },
    });
    expect(res.json()).toEqual({ success: true });
  }

  /** What the customer's chat shows (texts, oldest first). */
  async function customerTexts(
    cookie: string,
    conversationId: string,
  ): Promise<Array<{ text: string | undefined; persona: string | undefined }>> {
    const res = await hub().app.inject({
      method: 'GET',
      url: `/api/conversations/${conversationId}/messages`,
      headers: { cookie },
    });
    // The API answers newest first.
    const data = res.json().data as Array<{ body: { text?: string }; persona?: { name: string } | null }>;
    return data.reverse().map((m) => ({ text: m.body.text, persona: m.persona?.name }));
  }

  /** The handover events the bank's app received, opened. */
  async function handoverEvents(page: Page, customerId: string): Promise<unknown[]> {
    const rows = await hub()
      .ctx.storage.db.selectFrom('webhook_outbox')
      .select('payload')
      .where('field', '=', 'messaging_handovers')
      .where('app_id', '=', page.app_id)
      .orderBy('id')
      .execute();
    return Promise.all(
      rows.map((r) =>
        hub().ctx.storage.vault.openPayload({ purpose: 'deliver_to_business', actor: 'test' }, customerId, r.payload),
      ),
    );
  }

  /** The id of a page's team, by name. */
  async function teamId(page: Page, name: string): Promise<string> {
    const row = await hub()
      .ctx.storage.db.selectFrom('inbox_teams')
      .select('id')
      .where('page_id', '=', page.page_id)
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** How many rows a table holds now (to show that a refused or private action wrote nothing). */
  async function rowCount(table: 'messages' | 'webhook_outbox' | 'customer_events' | 'inbox_notes'): Promise<number> {
    const row = await hub()
      .ctx.storage.db.selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  return {
    createAgent,
    logIn,
    agentCall,
    say,
    customerWith,
    handOver,
    customerTexts,
    handoverEvents,
    rowCount,
    teamId,
  };
}

/** Collects a WebSocket's JSON frames; `until` resolves when one matches. */
export class Frames<T> {
  readonly items: T[] = [];
  readonly ws: WebSocket;
  #waiters: Array<() => void> = [];
  constructor(url: string, headers: Record<string, string>) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data) => {
      this.items.push(JSON.parse(data.toString()) as T);
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  async until(predicate: (item: T) => boolean): Promise<T> {
    for (;;) {
      const found = this.items.find(predicate);
      if (found !== undefined) return found;
      await new Promise<void>((resolve, reject) => {
        this.#waiters.push(resolve);
        this.ws.once('close', () => reject(new Error(`socket closed; frames: ${JSON.stringify(this.items)}`)));
      });
    }
  }
  close(): void {
    this.ws.close();
  }
}
