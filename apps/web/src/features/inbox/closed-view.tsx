/**
 * The closed view at `/inbox/closed`: resolved conversations of the page, newest first, searched
 * by the customer's first name, PSID or message words, and filtered by the day of the resolve.
 */
import type { InboxClosedItem, InboxClosedQuery } from '@confide/protocol';
import { useEffect, useState, type FormEvent, type MouseEvent } from 'react';
import { BackButton } from '../../components/back-button';
import { Spinner } from '../../components/spinner';
import { describeError } from '../../lib/api';
import { navigate } from '../../lib/router';
import { fullDate } from '../../lib/time';
import { inboxApi } from './inbox-api';
import { inboxConversationPath, QUEUE_PATH } from './inbox-route';

export function ClosedView() {
  const [draft, setDraft] = useState<InboxClosedQuery>({});
  const [query, setQuery] = useState<InboxClosedQuery>({});
  const [result, setResult] = useState<{ items: InboxClosedItem[]; truncated: boolean } | string | undefined>(
    undefined,
  );

  useEffect(() => {
    let current = true;
    setResult(undefined);
    inboxApi.closed(query).then(
      (r) => current && setResult({ items: r.data, truncated: r.truncated }),
      (err: unknown) => current && setResult(describeError(err)),
    );
    return () => void (current = false);
  }, [query]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ ...draft, q: draft.q?.trim() });
  };
  const field = (key: keyof InboxClosedQuery) => ({
    value: draft[key] ?? '',
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value })),
  });

  return (
    <section className="pane thread" aria-labelledby="closed-title">
      <header className="pane-header">
        <BackButton to={QUEUE_PATH} label="Back to the queue" />
        <h2 id="closed-title">Closed conversations</h2>
      </header>
      <form className="closed-search" role="search" onSubmit={submit}>
        <input
          type="search"
          aria-label="Search closed conversations"
          placeholder="First name, PSID or words"
          maxLength={200}
          {...field('q')}
        />
        <label>
          From <input type="date" {...field('from')} />
        </label>
        <label>
          To <input type="date" {...field('to')} />
        </label>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {result === undefined ? (
        <Spinner label="Loading closed conversations" />
      ) : typeof result === 'string' ? (
        <p className="inbox-notice warn" role="alert">
          {result}
        </p>
      ) : result.items.length === 0 ? (
        <p className="inbox-notice muted">No resolved conversation matches.</p>
      ) : (
        <ul className="closed-list" aria-label={`Closed conversations (${result.items.length})`}>
          {result.items.map((item) => (
            <li key={item.conversation_id}>
              <a href={inboxConversationPath(item.conversation_id)} onClick={follow}>
                <strong>{item.customer.first_name}</strong>
                <span className="muted small">
                  {' '}
                  · resolved {fullDate(item.resolved_at)}
                  {item.resolved_by === null ? ' by the assistant' : ` by ${item.resolved_by.display_name}`}
                </span>
                {item.match?.snippet != null && <span className="closed-snippet">{item.match.snippet}</span>}
              </a>
            </li>
          ))}
          {result.truncated && (
            <li className="muted small">
              Only the newest conversations were searched: narrow the dates to see older ones.
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

/** Plain clicks stay in the app; modified ones (new tab) are left to the browser. */
function follow(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href') ?? QUEUE_PATH);
}
