/**
 * The conversation history as agents see it: the messenger's own message components with
 * `viewer="agent"` (templates, buttons with the customer's answer, attachments, system lines,
 * as the customer sees them), the customer on the left and the page on the right.
 */
import type { InboxAgent, InboxMessage } from '@confide/protocol';
import { Fragment, useEffect, useRef } from 'react';
import { dayLabel, sameDay } from '../../lib/time';
import { MessageItem, type ThreadRef } from '../thread/message-item';

export function InboxMessages({
  conversationId,
  page,
  messages,
  customerName,
}: {
  conversationId: string;
  page: InboxAgent['page'];
  messages: InboxMessage[];
  customerName: string;
}) {
  const end = useRef<HTMLDivElement>(null);
  // Braces: scroll methods may return a promise, and an effect must return nothing or a cleanup.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  // The agent's page; its category and description are not shown in a thread.
  const thread: ThreadRef = {
    id: conversationId,
    page: { id: page.id, name: page.name, category: 'bank', description: '', privacy_policy_url: null },
  };
  return (
    <div className="message-area">
      <div
        className="message-scroller"
        role="log"
        aria-label={`Conversation with ${customerName}`}
        aria-live="polite"
        tabIndex={0}
      >
        <div className="message-inner">
          <ol className="messages">
            {messages.map((m, i) => {
              const previous = messages[i - 1];
              const newDay = previous === undefined || !sameDay(previous.created_at, m.created_at);
              const grouped =
                !newDay &&
                previous !== undefined &&
                previous.direction === m.direction &&
                previous.system !== true &&
                previous.persona?.id === m.persona?.id;
              return (
                <Fragment key={m.mid}>
                  {newDay && (
                    <li className="day-separator">
                      <span>{dayLabel(m.created_at)}</span>
                    </li>
                  )}
                  <MessageItem
                    message={m}
                    conversation={thread}
                    grouped={grouped}
                    viewer="agent"
                    customerName={customerName}
                  />
                </Fragment>
              );
            })}
          </ol>
          <div ref={end} />
        </div>
      </div>
    </div>
  );
}
