/**
 * Jumping to a message found by search: the thread keeps a contiguous window from the
 * newest message back, so older pages are loaded until the message is in it; then the
 * message list scrolls it into view and marks it for a moment.
 */
import { createStore, useStore } from '../../lib/store';
import { loadOlder, loadThread, messenger } from '../conversations/messenger';

/** The message to bring into view (`seq` makes a second jump to the same message count). */
export interface Focus {
  conversationId: string;
  mid: string;
  seq: number;
}

const focus = createStore<Focus | null>(null);
let seq = 0;

export const useFocus = (conversationId: string) =>
  useStore(focus, (f) => (f?.conversationId === conversationId ? f : null));

/** At most this many older pages are fetched for one jump (search looks at the newest 2,000 messages). */
const MAX_PAGES = 60;

/** Loads the thread back to the message with `cursor` and focuses it; false when it could not be reached. */
export async function revealMessage(conversationId: string, mid: string, cursor: string): Promise<boolean> {
  const target = Number(cursor);
  const has = () => messenger.get().threads[conversationId]?.messages.some((m) => m.mid === mid) === true;
  if (messenger.get().threads[conversationId]?.loaded !== true) await loadThread(conversationId);
  for (let i = 0; i < MAX_PAGES && !has(); i++) {
    const next = messenger.get().threads[conversationId]?.nextCursor;
    if (next === null || next === undefined || Number(next) <= target) break;
    await loadOlder(conversationId);
  }
  if (!has()) return false;
  focus.set(() => ({ conversationId, mid, seq: ++seq }));
  return true;
}

export const clearFocus = () => focus.set(() => null);
