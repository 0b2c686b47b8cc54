import type { ChatMessage, ServerFrame } from '@confide/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildTestHub, createPage, openConversation, signUp, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { findConversationOfCustomer } from '../conversations/store.js';
import { appendMessage } from '../../timeline/index.js';
import { mediaLinksFor } from '../media/media-links.js';

/** A test WebSocket client that collects frames. */
class StreamClient {
  readonly frames: ServerFrame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(url: string, cookie: string) {
    this.ws = new WebSocket(url, { headers: { cookie } });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  async waitFor(predicate: (frames: ServerFrame[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (Date.now() > deadline)
        throw new Error(`timed out; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  messageTexts(): string[] {
    return this.frames.flatMap((f) => (f.type === 'message' ? [f.message.body.text ?? ''] : []));
  }

  lastCursor(): number {
    return Math.max(0, ...this.frames.flatMap((f) => ('cursor' in f ? [f.cursor] : [])));
  }

  close(): Promise<void> {
    return new Promise((r) => {
      if (this.ws.readyState === WebSocket.CLOSED) return r();
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: /api/stream`, () => {
    let hub: TestHub;
    let base: string;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
      const url = await hub.listen();
      base = url.replace('http://', 'ws://');
    });
    afterEach(async () => {
      await hub.dispose();
    });

    async function businessSays(customerId: string, conversationId: string, text: string) {
      await hub.ctx.storage.writes.run(async (tx) => {
        const conversation = await findConversationOfCustomer(tx.db, customerId, conversationId);
        if (conversation === undefined) throw new Error('no conversation');
        return appendMessage(tx, hub.ctx.bus, { conversation, direction: 'out', body: { text }, now: Date.now() });
      });
    }

    it('delivers a customer message to two open sockets of that customer', async () => {
      const alice = await signUp(hub);
      const bank = await createPage(hub);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const tab1 = new StreamClient(`${base}/api/stream`, alice.cookie);
      const tab2 = new StreamClient(`${base}/api/stream`, alice.cookie);
      await Promise.all([tab1.opened, tab2.opened]);
      await tab1.waitFor((f) => f.some((x) => x.type === 'ready'));
      await tab2.waitFor((f) => f.some((x) => x.type === 'ready'));

      const res = await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${conv.id}/messages`,
        headers: { cookie: alice.cookie },
        payload: { text: 'from tab one' },
      });
      expect(res.statusCode).toBe(201);
      await businessSays(alice.id, conv.id, 'hello from the bank');
      for (const tab of [tab1, tab2]) {
        await tab.waitFor(() => tab.messageTexts().length === 2);
        expect(tab.messageTexts()).toEqual(['from tab one', 'hello from the bank']);
      }
      await Promise.all([tab1.close(), tab2.close()]);
    });

    it('does not deliver one customer’s frames to another customer', async () => {
      const alice = await signUp(hub);
      const bob = await signUp(hub);
      const bank = await createPage(hub);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      await openConversation(hub, bob.cookie, bank.page_id);
      const bobTab = new StreamClient(`${base}/api/stream`, bob.cookie);
      await bobTab.opened;
      await bobTab.waitFor((f) => f.some((x) => x.type === 'ready'));
      await businessSays(alice.id, conv.id, 'private to alice');
      // A frame for bob afterwards proves the socket is live and received in order.
      const bobConv = await openConversation(hub, bob.cookie, bank.page_id);
      await businessSays(bob.id, bobConv.id, 'for bob');
      await bobTab.waitFor(() => bobTab.messageTexts().length === 1);
      expect(bobTab.messageTexts()).toEqual(['for bob']);
      await bobTab.close();
    });

    it('resumes a dropped socket from its cursor with nothing lost and nothing doubled', async () => {
      const alice = await signUp(hub);
      const bank = await createPage(hub);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const first = new StreamClient(`${base}/api/stream?cursor=0`, alice.cookie);
      await first.opened;
      for (let i = 0; i < 5; i++) await businessSays(alice.id, conv.id, `before ${i}`);
      await first.waitFor(() => first.messageTexts().length === 5);
      const cursor = first.lastCursor();
      first.ws.terminate();

      // While disconnected: more messages, some in a burst committed together.
      await Promise.all(Array.from({ length: 20 }, (_, i) => businessSays(alice.id, conv.id, `while away ${i}`)));
      const resumed = new StreamClient(`${base}/api/stream?cursor=${cursor}`, alice.cookie);
      await resumed.opened;
      // Sent while the replay may still be running.
      const live = Promise.all(Array.from({ length: 10 }, (_, i) => businessSays(alice.id, conv.id, `live ${i}`)));
      await live;
      await resumed.waitFor(() => resumed.messageTexts().length >= 30);
      await new Promise((r) => setTimeout(r, 100));
      const texts = resumed.messageTexts();
      expect(texts).toHaveLength(30);
      expect(new Set(texts).size).toBe(30);
      expect(texts.filter((t) => t.startsWith('before'))).toEqual([]);
      const cursors = resumed.frames.flatMap((f) => (f.type === 'message' ? [f.cursor] : []));
      expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
      expect(cursors[0]).toBe(cursor + 1);
      await resumed.close();
    });

    it('names the persona of a page message live, on replay and in the message list', async () => {
      const alice = await signUp(hub);
      const bank = await createPage(hub);
      const conv = await openConversation(hub, alice.cookie, bank.page_id);
      const graph = (url: string, payload: object) =>
        hub.app.inject({ method: 'POST', url: `/v25.0/me/${url}?access_token=${bank.page_access_token}`, payload });
      const dana = (
        await graph('personas', { name: 'Dana · Fraud team', profile_picture_url: 'https://bank.example/dana.png' })
      ).json().id as string;
      const tab = new StreamClient(`${base}/api/stream?cursor=0`, alice.cookie);
      await tab.opened;
      await tab.waitFor((f) => f.some((x) => x.type === 'ready'));
      await hub.app.inject({
        method: 'POST',
        url: `/api/conversations/${conv.id}/messages`,
        headers: { cookie: alice.cookie },
        payload: { text: 'help' },
      });
      const { psid } = await hub.ctx.storage.db
        .selectFrom('conversations')
        .select('psid')
        .where('id', '=', conv.id)
        .executeTakeFirstOrThrow();
      const send = (extra: object) =>
        graph('messages', { recipient: { id: psid }, messaging_type: 'RESPONSE', ...extra });
      expect((await send({ message: { text: 'from the bot' } })).statusCode).toBe(200);
      expect((await send({ message: { text: 'Dana here' }, persona_id: dana })).statusCode).toBe(200);

      // The picture is shown through the hub's image proxy, with a link minted for Alice.
      const picture = mediaLinksFor(hub.ctx.config).link(
        { kind: 'customer', id: alice.id },
        'https://bank.example/dana.png',
      );
      expect(picture).toMatch(/^\/api\/media\/image\?url=https%3A%2F%2Fbank\.example%2Fdana\.png&sig=/);
      const persona = { id: dana, name: 'Dana · Fraud team', profile_picture_url: picture };
      const personas = (frames: ServerFrame[]) =>
        frames.flatMap((f) => (f.type === 'message' ? [[f.message.body.text, f.message.persona ?? null]] : []));
      const expected = [
        ['help', null],
        ['from the bot', null],
        ['Dana here', persona],
      ];
      await tab.waitFor(() => tab.messageTexts().length === 3);
      expect(personas(tab.frames)).toEqual(expected);
      await tab.close();

      const replay = new StreamClient(`${base}/api/stream?cursor=0`, alice.cookie);
      await replay.waitFor((f) => f.some((x) => x.type === 'ready'));
      expect(personas(replay.frames)).toEqual(expected);
      await replay.close();

      const list = await hub.app.inject({
        method: 'GET',
        url: `/api/conversations/${conv.id}/messages`,
        headers: { cookie: alice.cookie },
      });
      expect(list.json().data.map((m: ChatMessage) => [m.body.text, m.persona])).toEqual([...expected].reverse());
      const conversations = await hub.app.inject({
        method: 'GET',
        url: '/api/conversations',
        headers: { cookie: alice.cookie },
      });
      expect(conversations.json().data[0].last_message.persona).toEqual(persona);
    });

    it('refuses a socket without a session, and one from a foreign origin', async () => {
      const alice = await signUp(hub);
      const anonymous = new WebSocket(`${base}/api/stream`);
      const status = await new Promise<number>((resolve) =>
        anonymous.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
      );
      expect(status).toBe(401);
      const foreign = new WebSocket(`${base}/api/stream`, {
        headers: { cookie: alice.cookie, origin: 'https://evil.example' },
      });
      const status2 = await new Promise<number>((resolve) =>
        foreign.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
      );
      expect(status2).toBe(403);
    });
  });
}
