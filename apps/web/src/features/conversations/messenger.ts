/**
 * The messenger's live store and its actions: loading from the API, the stream, sending
 * with optimistic bubbles, read receipts and notifications.
 */
import type { ChatMessage, SendChatMessageBody, ServerFrame } from '@confide/protocol';
import { api } from '../../lib/api';
import { navigate, threadPath } from '../../lib/router';
import { createStore, useStore } from '../../lib/store';
import { openStream, type StreamHandle } from '../../lib/stream';
import { setSession, verifySession } from '../auth/session';
import { notifyIfHidden } from '../notifications/notify';
import { toast } from '../../components/toasts';
import {
  addMessage,
  addPage,
  applyFrame,
  initialState,
  markReadLocally,
  setConversations,
  upsertConversation,
  type MessengerState,
  type PendingMessage,
} from './messenger-state';
import { messagePreview } from './preview';

export const messenger = createStore<MessengerState>(initialState);
export const useMessenger = <T>(select: (s: MessengerState) => T): T => useStore(messenger, select);

const isVisible = () => document.visibilityState === 'visible';
let stream: StreamHandle | undefined;

/** Starts the stream and the initial loads; returns the teardown. */
export function startMessenger(): () => void {
  messenger.set(() => initialState);
  void loadConversations();
  stream = openStream({
    onFrame: handleFrame,
    onStatus: (status) => {
      messenger.set((s) => (s.status === status ? s : { ...s, status }));
      // Each (re)connection: refresh the list, which also closes any gap before the first `ready`.
      if (status === 'live') void catchUp();
      // A socket refused because the session expired looks like any drop: ask the hub.
      if (status === 'reconnecting') void verifySession();
    },
    // Logged out elsewhere or the password changed: back to the login screen.
    onSessionEnded: () => setSession(null),
  });
  const onVisible = () => {
    const id = messenger.get().activeId;
    if (isVisible() && id !== null) markRead(id);
  };
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    document.removeEventListener('visibilitychange', onVisible);
    stream?.close();
    stream = undefined;
    messenger.set(() => initialState);
  };
}

function handleFrame(frame: ServerFrame, replay: boolean): void {
  messenger.set((s) => applyFrame(s, frame, isVisible()));
  if (frame.type === 'conversation') void refreshConversation(frame.conversation_id);
  if (frame.type === 'profile') return profileChanged(frame.page_id);
  if (frame.type !== 'message') return;
  const m = frame.message;
  const state = messenger.get();
  const conv = state.conversations[m.conversation_id];
  if (conv === undefined) return void refreshConversation(m.conversation_id);
  if (m.direction !== 'out') return;
  if (state.activeId === m.conversation_id && isVisible()) markRead(m.conversation_id);
  // A security alert says so in the notification's title: it should not read like a routine notice.
  const title = m.notification_category === 'fraud_alerts' ? `Security alert · ${conv.page.name}` : conv.page.name;
  // The hub's quiet notice of a refused update never pops up a notification.
  const quiet =
    (m.body.attachment?.payload as { template_type?: unknown } | undefined)?.template_type === 'consent_notice';
  if (!replay && !quiet)
    notifyIfHidden(title, messagePreview(m) || 'New message', m.conversation_id, () =>
      navigate(threadPath(m.conversation_id)),
    );
}

async function catchUp(): Promise<void> {
  await loadConversations();
  const id = messenger.get().activeId;
  if (id !== null) void loadProfile(id);
  if (id !== null && messenger.get().threads[id]?.loaded === true) {
    const page = await api.messages(id).catch(() => undefined);
    if (page !== undefined) messenger.set((s) => addPage(s, id, page, false));
  }
}

let listRequest = 0;

export async function loadConversations(): Promise<void> {
  const request = ++listRequest;
  try {
    const { data } = await api.conversations();
    // Only the latest request may write: an earlier, slower answer would roll counts back.
    if (request === listRequest) messenger.set((s) => setConversations(s, data));
  } catch {
    // The stream status banner already tells the customer when the hub is unreachable.
  }
}

async function refreshConversation(id: string): Promise<void> {
  const conv = await api.conversation(id).catch(() => undefined);
  if (conv !== undefined) messenger.set((s) => upsertConversation(s, conv));
}

/** Opens (or reopens) a conversation with a business and returns its id. */
export async function startConversation(pageId: string): Promise<string> {
  const conv = await api.openConversation(pageId);
  messenger.set((s) => upsertConversation(s, conv));
  return conv.id;
}

export function setActive(id: string | null): void {
  messenger.set((s) => (s.activeId === id ? s : { ...s, activeId: id }));
  if (id !== null && messenger.get().conversations[id] === undefined) void refreshConversation(id);
}

export async function loadThread(id: string): Promise<void> {
  const page = await api.messages(id);
  messenger.set((s) => addPage(s, id, page, false));
}

export async function loadOlder(id: string): Promise<void> {
  const cursor = messenger.get().threads[id]?.nextCursor;
  if (cursor === null || cursor === undefined) return;
  const page = await api.messages(id, cursor);
  messenger.set((s) => addPage(s, id, page, true));
}

/** The customer's locale as Messenger names them (en_US), for the page's greeting and menu. */
const profileLocale = (): string | undefined => {
  const [lang, region] = (navigator.language ?? '').split('-');
  if (lang === undefined || !/^[a-z]{2}$/.test(lang)) return undefined;
  return region !== undefined && /^[A-Z]{2}$/.test(region) ? `${lang}_${region}` : lang;
};

/** Fetches the Messenger Profile of a conversation's page (kept per page). */
export async function loadProfile(conversationId: string): Promise<void> {
  const profile = await api.profile(conversationId, profileLocale()).catch(() => undefined);
  if (profile !== undefined) messenger.set((s) => ({ ...s, profiles: { ...s.profiles, [profile.page_id]: profile } }));
}

/** A page changed its profile: refetch it if it is shown (or loaded) here. */
function profileChanged(pageId: string): void {
  const state = messenger.get();
  if (state.profiles[pageId] === undefined) return;
  const conv = Object.values(state.conversations).find((c) => c.page.id === pageId);
  if (conv !== undefined) void loadProfile(conv.id);
}

const readTimers = new Map<string, ReturnType<typeof setTimeout>>();

/** Tells the hub the customer has seen the conversation (coalesced). */
export function markRead(id: string): void {
  messenger.set((s) => markReadLocally(s, id));
  if (readTimers.has(id)) return;
  readTimers.set(
    id,
    setTimeout(() => {
      readTimers.delete(id);
      void api.markRead(id).catch(() => undefined);
    }, 300),
  );
}

let tempSeq = 0;

async function sendBody(
  conversationId: string,
  body: SendChatMessageBody,
  label: string,
  retryOf?: string,
): Promise<void> {
  const tempId = retryOf ?? `tmp-${++tempSeq}`;
  const pending: PendingMessage = { tempId, conversationId, text: label, createdAt: Date.now(), failed: false };
  messenger.set((s) => ({ ...s, pending: [...s.pending.filter((p) => p.tempId !== tempId), pending] }));
  retryBodies.set(tempId, body);
  try {
    const message: ChatMessage = await api.send(conversationId, body);
    messenger.set((s) => ({ ...addMessage(s, message, true), pending: s.pending.filter((p) => p.tempId !== tempId) }));
    retryBodies.delete(tempId);
  } catch {
    messenger.set((s) => ({ ...s, pending: s.pending.map((p) => (p.tempId === tempId ? { ...p, failed: true } : p)) }));
    toast('Your message was not sent. Tap it to retry.', 'error');
  }
}

const retryBodies = new Map<string, SendChatMessageBody>();

export const sendText = (conversationId: string, text: string) => sendBody(conversationId, { text }, text);
export const sendQuickReply = (conversationId: string, payload: string, title: string) =>
  sendBody(conversationId, { quick_reply: { payload, title } }, title);
/** A postback: from a menu or Get Started, or (with `messageMid`) a button of that message, which the hub then marks answered. */
export const sendPostback = (conversationId: string, payload: string, title: string, messageMid?: string) =>
  sendBody(
    conversationId,
    { postback: messageMid === undefined ? { payload, title } : { payload, title, message_mid: messageMid } },
    title,
  );

export function retrySend(p: PendingMessage): void {
  const body = retryBodies.get(p.tempId) ?? { text: p.text };
  void sendBody(p.conversationId, body, p.text, p.tempId);
}

export function discardPending(tempId: string): void {
  messenger.set((s) => ({ ...s, pending: s.pending.filter((p) => p.tempId !== tempId) }));
  retryBodies.delete(tempId);
}

let typingSentAt = 0;
let typingOffTimer: ReturnType<typeof setTimeout> | undefined;

/** Tells the business the customer is typing (throttled; switched off after a pause). */
export function customerTyping(conversationId: string): void {
  const now = Date.now();
  if (now - typingSentAt > 3000) {
    typingSentAt = now;
    stream?.send({ type: 'typing', conversation_id: conversationId, on: true });
  }
  clearTimeout(typingOffTimer);
  typingOffTimer = setTimeout(() => {
    typingSentAt = 0;
    stream?.send({ type: 'typing', conversation_id: conversationId, on: false });
  }, 4000);
}
