/** The conversation history as agents see it: the customer on the left, the page (assistant or agents) on the right. */
import type { InboxMessage } from '@confide/protocol';
import { useEffect, useRef } from 'react';
import { ErrorBoundary } from '../../components/error-boundary';
import { clockTime, dayLabel, sameDay } from '../../lib/time';
import { bodyText } from './message-text';

export function InboxMessages({ messages, customerName }: { messages: InboxMessage[]; customerName: string }) {
  const end = useRef<HTMLDivElement>(null);
  // Braces: scroll methods may return a promise, and an effect must return nothing or a cleanup.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  return (
    <div className="message-area">
      <div className="message-scroller" role="log" aria-label={`Conversation with ${customerName}`} aria-live="polite" tabIndex={0}>
        <div className="message-inner">
          <ol className="messages">
            {messages.map((m, i) => {
              const previous = messages[i - 1];
              const newDay = previous === undefined || !sameDay(previous.created_at, m.created_at);
              const page = m.direction === 'out';
              const author = page ? (m.persona?.name ?? 'Assistant') : customerName;
              return (
                <li key={m.mid} className="inbox-item">
                  {newDay && (
                    <p className="day-separator">
                      <span>{dayLabel(m.created_at)}</span>
                    </p>
                  )}
                  <ErrorBoundary fallback={<p className="bubble unsupported">This message can’t be shown.</p>} resetKey={m.body}>
                    <InboxBubble message={m} author={author} />
                  </ErrorBoundary>
                </li>
              );
            })}
          </ol>
          <div ref={end} />
        </div>
      </div>
    </div>
  );
}

/** One message's bubble (its own component, so a malformed body stays inside its error boundary). */
function InboxBubble({ message: m, author }: { message: InboxMessage; author: string }) {
  if (m.system === true)
    return (
      <div className="msg system" data-mid={m.mid}>
        <p className="system-line">{bodyText(m.body)}</p>
      </div>
    );
  return (
    <div className={`msg ${m.direction === 'out' ? 'mine' : 'theirs'}`} data-mid={m.mid}>
      <span className="persona">{author}</span>
      <p className="bubble">
        <span className="text">{bodyText(m.body)}</span>
        <span className="meta">
          <time dateTime={new Date(m.created_at).toISOString()}>{clockTime(m.created_at)}</time>
        </span>
      </p>
    </div>
  );
}
