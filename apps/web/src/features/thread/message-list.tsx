/**
 * The scrolling message log. Stays pinned to the bottom when the customer is there,
 * holds its position when older messages are prepended or new ones arrive while they
 * read back (a "new messages" pill appears instead), and never reflows for the typing
 * indicator, which floats in reserved space.
 */
import { Fragment, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { ChatMessage, Conversation } from '@confide/protocol';
import { Icon } from '../../components/icon';
import { dayLabel, sameDay } from '../../lib/time';
import type { PendingMessage } from '../conversations/messenger-state';
import { clearFocus, useFocus } from '../search/reveal';
import { MessageItem } from './message-item';
import { PendingItem } from './pending-item';
import { UploadItem } from './upload-item';
import type { Upload } from './uploads';

const GROUP_MS = 3 * 60_000;
const NEAR_BOTTOM_PX = 48;

interface Props {
  conversation: Conversation;
  messages: ChatMessage[];
  pending: PendingMessage[];
  /** Files on their way, after the pending messages. */
  uploads?: Upload[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder(): void;
  typing: boolean;
  /** Shown at the start of a conversation with no messages yet (the business's welcome). */
  intro?: ReactNode;
}

export function MessageList({
  conversation,
  messages,
  pending,
  uploads = [],
  hasOlder,
  loadingOlder,
  onLoadOlder,
  typing,
  intro,
}: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const before = useRef<{ firstMid: string | undefined; lastKey: string | undefined; height: number }>({
    firstMid: undefined,
    lastKey: undefined,
    height: 0,
  });
  const [unseen, setUnseen] = useState(false);

  const firstMid = messages[0]?.mid;
  const lastKey = uploads.at(-1)?.id ?? pending.at(-1)?.tempId ?? messages.at(-1)?.mid;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const prev = before.current;
    if (prev.firstMid !== undefined && firstMid !== prev.firstMid && lastKey === prev.lastKey) {
      // Older messages were prepended: keep the same message under the customer's eyes.
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (lastKey !== prev.lastKey) {
      const mine = pending.length > 0 || uploads.length > 0 || messages.at(-1)?.direction === 'in';
      if (atBottom.current || mine || prev.lastKey === undefined) {
        el.scrollTop = el.scrollHeight;
        atBottom.current = true;
      } else setUnseen(true);
    }
    before.current = { firstMid, lastKey, height: el.scrollHeight };
  });

  // Keep pinned when something inside grows after render (an image decoding, fonts), and
  // when the log itself gets shorter (quick replies below it, a phone keyboard, a resize):
  // neither moves scrollTop, so no scroll event would say the newest message left the view.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null || typeof ResizeObserver === 'undefined') return undefined;
    const inner = el.firstElementChild;
    if (inner === null) return undefined;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      before.current.height = el.scrollHeight;
    });
    observer.observe(inner);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // A message found by search: bring it into view and mark it for a moment.
  const focus = useFocus(conversation.id);
  const focusSeen = focus !== null && messages.some((m) => m.mid === focus.mid);
  useEffect(() => {
    const el = scroller.current;
    if (focus === null || !focusSeen || el === null) return undefined;
    const item = el.querySelector<HTMLElement>(`[data-mid="${CSS.escape(focus.mid)}"]`);
    if (item === null) return undefined;
    atBottom.current = false;
    item.scrollIntoView({ block: 'center' });
    item.classList.add('focused');
    const timer = setTimeout(() => {
      item.classList.remove('focused');
      clearFocus();
    }, 2_500);
    return () => clearTimeout(timer);
  }, [focus, focusSeen]);

  const onScroll = () => {
    const el = scroller.current;
    if (el === null) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom.current && unseen) setUnseen(false);
  };

  const jumpToBottom = () => {
    const el = scroller.current;
    if (el !== null) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    setUnseen(false);
  };

  return (
    <div className="message-area">
      <div
        className="message-scroller"
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-label={`Messages with ${conversation.page.name}`}
      >
        <div className="message-inner">
          {hasOlder ? (
            <div className="load-older">
              <button type="button" className="button subtle" onClick={onLoadOlder} disabled={loadingOlder}>
                {loadingOlder ? 'Loading…' : 'Load older messages'}
              </button>
            </div>
          ) : intro !== undefined ? (
            intro
          ) : (
            <p className="thread-start muted small">
              This is the start of your conversation with {conversation.page.name}.
            </p>
          )}
          <ol className="messages">
            {messages.map((m, i) => {
              const prev = messages[i - 1];
              const newDay = prev === undefined || !sameDay(prev.created_at, m.created_at);
              // A new author (the bot, then an agent's persona) starts a new group, so their name shows.
              const grouped =
                !newDay &&
                prev !== undefined &&
                prev.direction === m.direction &&
                prev.persona?.id === m.persona?.id &&
                m.created_at - prev.created_at < GROUP_MS;
              return (
                <Fragment key={m.mid}>
                  {newDay && (
                    <li className="day-separator">
                      <span>{dayLabel(m.created_at)}</span>
                    </li>
                  )}
                  <MessageItem message={m} conversation={conversation} grouped={grouped} />
                </Fragment>
              );
            })}
            {pending.map((p) => (
              <PendingItem key={p.tempId} pending={p} />
            ))}
            {uploads.map((u) => (
              <UploadItem key={u.id} upload={u} />
            ))}
          </ol>
        </div>
      </div>
      <div className={`typing-indicator${typing ? ' on' : ''}`} aria-hidden={!typing}>
        <span className="dots" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
        <span className="visually-hidden">{typing ? `${conversation.page.name} is typing` : ''}</span>
      </div>
      {unseen && (
        <button type="button" className="new-messages" onClick={jumpToBottom}>
          New messages <Icon name="down" size={16} />
        </button>
      )}
    </div>
  );
}
