/**
 * The messenger's state and its pure transitions: conversations, the loaded window of
 * each thread (deduplicated by `mid`, oldest first), typing indicators, stream status.
 * Kept free of I/O so every rule here is unit-tested.
 */
import type { ChatMessage, Conversation, PageProfile, ServerFrame } from '@confide/protocol';
import type { StreamStatus } from '../../lib/stream';

export interface ThreadState {
  /** Oldest first, one entry per `mid`. */
  messages: ChatMessage[];
  /** `before` cursor for older messages; null when the start of the thread is loaded. */
  nextCursor: string | null;
  loaded: boolean;
}

/** A message the customer is sending, shown until the hub confirms it. */
export interface PendingMessage {
  tempId: string;
  conversationId: string;
  text: string;
  createdAt: number;
  failed: boolean;
}

export interface MessengerState {
  conversations: Record<string, Conversation>;
  conversationsLoaded: boolean;
  threads: Record<string, ThreadState>;
  pending: PendingMessage[];
  typing: Record<string, boolean>;
  status: StreamStatus;
  /** The conversation on screen, whose new messages count as read. */
  activeId: string | null;
  /** Messenger Profiles (Get Started, greeting, ice breakers, menu), by page id. */
  profiles: Record<string, PageProfile>;
}

export const initialState: MessengerState = {
  conversations: {},
  conversationsLoaded: false,
  threads: {},
  pending: [],
  typing: {},
  status: 'connecting',
  activeId: null,
  profiles: {},
};

const emptyThread: ThreadState = { messages: [], nextCursor: null, loaded: false };

/**
 * Merges messages into a thread's list: one per `mid`, ordered by time. Messages with the
 * same millisecond keep the hub's order: an older page goes before what is loaded
 * (`prepend`), anything else after.
 */
export function mergeMessages(existing: ChatMessage[], incoming: ChatMessage[], prepend = false): ChatMessage[] {
  const known = new Set(existing.map((m) => m.mid));
  const fresh = incoming.filter((m) => !known.has(m.mid) && (known.add(m.mid), true));
  if (fresh.length === 0) return existing;
  return (prepend ? [...fresh, ...existing] : [...existing, ...fresh]).sort((a, b) => a.created_at - b.created_at);
}

/** Conversations, most recent activity first. */
export function sortedConversations(conversations: Record<string, Conversation>): Conversation[] {
  return Object.values(conversations).sort((a, b) => activity(b) - activity(a));
}

const activity = (c: Conversation) => c.last_message?.created_at ?? c.created_at;

export function setConversations(state: MessengerState, list: Conversation[]): MessengerState {
  const conversations: Record<string, Conversation> = {};
  for (const c of list) conversations[c.id] = keepNewest(state.conversations[c.id], c);
  return { ...state, conversations, conversationsLoaded: true };
}

export function upsertConversation(state: MessengerState, c: Conversation): MessengerState {
  return { ...state, conversations: { ...state.conversations, [c.id]: keepNewest(state.conversations[c.id], c) } };
}

/** A fetched conversation never rolls back what the stream already told us. */
function keepNewest(known: Conversation | undefined, fetched: Conversation): Conversation {
  if (known === undefined) return fetched;
  // The stream saw a newer message than this (slower) answer: keep what the stream built.
  const streamAhead = (known.last_message?.created_at ?? 0) > (fetched.last_message?.created_at ?? 0);
  return {
    ...fetched,
    last_message: streamAhead ? known.last_message : fetched.last_message,
    unread_count: streamAhead ? known.unread_count : fetched.unread_count,
    awaiting_answers: streamAhead ? known.awaiting_answers : fetched.awaiting_answers,
    page_delivered_watermark: Math.max(known.page_delivered_watermark, fetched.page_delivered_watermark),
    page_read_watermark: Math.max(known.page_read_watermark, fetched.page_read_watermark),
    customer_read_watermark: Math.max(known.customer_read_watermark, fetched.customer_read_watermark),
  };
}

/** Adds a page of messages (newest first, as the API returns them) to a thread. */
export function addPage(
  state: MessengerState,
  conversationId: string,
  page: { data: ChatMessage[]; next_cursor: string | null },
  older: boolean,
): MessengerState {
  const thread = state.threads[conversationId] ?? emptyThread;
  const messages = mergeMessages(thread.messages, [...page.data].reverse(), older);
  // The newest page only sets the cursor the first time; older pages always move it back.
  const nextCursor = older || !thread.loaded ? page.next_cursor : thread.nextCursor;
  return { ...state, threads: { ...state.threads, [conversationId]: { messages, nextCursor, loaded: true } } };
}

/**
 * A message naming a question (`reply_to`) settles it: the customer's postback answers it
 * (the answer replaces the buttons; only the first counts, as at the hub), and a business
 * message closes it.
 * @returns the thread's messages and whether an open question was answered.
 */
export function applyAnswer(
  messages: ChatMessage[],
  answer: ChatMessage,
): { messages: ChatMessage[]; answered: boolean } {
  const source = answer.body.reply_to?.mid;
  if (source === undefined) return { messages, answered: false };
  const at = messages.findIndex((m) => m.mid === source);
  const target = messages[at];
  // Only questions (proactive updates awaiting an answer) trade their buttons for the answer; other buttons stay usable.
  if (target === undefined || target.awaits_answer !== true) return { messages, answered: false };
  const postback = answer.body.postback;
  const next = [...messages];
  if (answer.direction === 'in' && postback !== undefined) {
    next[at] = {
      ...target,
      awaits_answer: false,
      answered_postback: { title: postback.title, payload: postback.payload, answered_at: answer.created_at },
    };
  } else if (answer.direction === 'out') {
    // The business replying to its own question closes it (it expired, or was answered elsewhere).
    next[at] = { ...target, awaits_answer: false, answered_postback: null };
  } else {
    return { messages, answered: false };
  }
  return { messages: next, answered: true };
}

/** A message arrived (live, replayed, or as the answer to a send). */
export function addMessage(state: MessengerState, message: ChatMessage, visible: boolean): MessengerState {
  const id = message.conversation_id;
  const thread = state.threads[id];
  if (thread?.messages.some((m) => m.mid === message.mid)) return state;
  const answer = applyAnswer(thread?.messages ?? [], message);
  const threads =
    thread === undefined
      ? state.threads
      : { ...state.threads, [id]: { ...thread, messages: mergeMessages(answer.messages, [message]) } };
  const conv = state.conversations[id];
  let conversations = state.conversations;
  if (conv !== undefined) {
    const isNewer = (conv.last_message?.created_at ?? 0) <= message.created_at;
    const unread =
      message.direction === 'out' &&
      !(visible && state.activeId === id) &&
      message.created_at > conv.customer_read_watermark;
    const awaiting = Math.max(
      0,
      (conv.awaiting_answers ?? 0) + (message.awaits_answer === true ? 1 : 0) - (answer.answered ? 1 : 0),
    );
    conversations = {
      ...conversations,
      [id]: {
        ...conv,
        last_message: isNewer ? message : conv.last_message,
        unread_count: conv.unread_count + (unread ? 1 : 0),
        awaiting_answers: awaiting,
      },
    };
  }
  const typing =
    message.direction === 'out' && state.typing[id] === true ? { ...state.typing, [id]: false } : state.typing;
  return { ...state, threads, conversations, typing };
}

/** How many conversations have unread business messages (the tab title's count). */
export function unreadConversations(state: MessengerState): number {
  let n = 0;
  for (const c of Object.values(state.conversations)) if (c.unread_count > 0) n += 1;
  return n;
}

/** The label a customer's own message shows while it is being sent (text, or a tapped button's title). */
function ownLabel(message: ChatMessage): string | undefined {
  return message.body.text ?? message.body.postback?.title;
}

/**
 * The stream can deliver the customer's own message before the send request answers: the
 * oldest pending bubble of that conversation with the same label is the same message, so it
 * goes at once instead of showing twice until the answer arrives.
 */
export function settlePending(state: MessengerState, message: ChatMessage): MessengerState {
  if (message.direction !== 'in') return state;
  const label = ownLabel(message);
  const index = state.pending.findIndex(
    (p) => !p.failed && p.conversationId === message.conversation_id && p.text === label,
  );
  if (index < 0) return state;
  return { ...state, pending: state.pending.filter((_, i) => i !== index) };
}

/** Applies one stream frame. Message frames go through `addMessage`. */
export function applyFrame(state: MessengerState, frame: ServerFrame, visible: boolean): MessengerState {
  switch (frame.type) {
    case 'message':
      return settlePending(addMessage(state, frame.message, visible), frame.message);
    case 'typing':
      return { ...state, typing: { ...state.typing, [frame.conversation_id]: frame.on } };
    case 'receipt': {
      const conv = state.conversations[frame.conversation_id];
      if (conv === undefined) return state;
      const next = { ...conv };
      if (frame.side === 'page') {
        if (frame.kind === 'read') next.page_read_watermark = Math.max(next.page_read_watermark, frame.watermark);
        // Read implies delivered.
        next.page_delivered_watermark = Math.max(next.page_delivered_watermark, frame.watermark);
      } else {
        next.customer_read_watermark = Math.max(next.customer_read_watermark, frame.watermark);
        if (frame.kind === 'read') next.unread_count = 0;
      }
      return { ...state, conversations: { ...state.conversations, [conv.id]: next } };
    }
    default:
      return state;
  }
}

export function markReadLocally(state: MessengerState, conversationId: string): MessengerState {
  const conv = state.conversations[conversationId];
  if (conv === undefined || conv.unread_count === 0) return state;
  return { ...state, conversations: { ...state.conversations, [conversationId]: { ...conv, unread_count: 0 } } };
}

export type DeliveryState = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

/** Where one of the customer's own messages stands, from the business's watermarks. */
export function deliveryState(message: ChatMessage, conv: Conversation): DeliveryState {
  if (message.created_at <= conv.page_read_watermark) return 'read';
  if (message.created_at <= conv.page_delivered_watermark) return 'delivered';
  return 'sent';
}

/**
 * Quick replies show only on the thread's last message, and only while the customer has
 * not answered (any later message of theirs hides them).
 */
export function activeQuickReplies(messages: ChatMessage[], pendingCount: number): string | undefined {
  const last = messages.at(-1);
  if (last === undefined || last.direction !== 'out' || pendingCount > 0) return undefined;
  return last.body.quick_replies !== undefined && last.body.quick_replies.length > 0 ? last.mid : undefined;
}
