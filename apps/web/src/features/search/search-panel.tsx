/**
 * Message search: a field and its results. In the sidebar it searches every conversation;
 * in a thread, that conversation only. A result opens its conversation at the message.
 * The hub matches every word, ignoring case and accents (GET /api/search).
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { SearchHit } from '@confide/protocol';
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { api, describeError } from '../../lib/api';
import { navigate, threadPath } from '../../lib/router';
import { shortStamp } from '../../lib/time';
import { useMessenger } from '../conversations/messenger';
import { revealMessage } from './reveal';

const DEBOUNCE_MS = 250;

interface Props {
  /** Search only this conversation. */
  conversationId?: string;
  /** Called with the query as it changes (the sidebar hides its list while one is typed). */
  onQuery?(query: string): void;
  autoFocus?: boolean;
  /** Escape on an empty field (closes an in-thread search). */
  onClose?(): void;
}

type Results = { query: string; hits: SearchHit[]; truncated: boolean } | null;

export function SearchPanel({ conversationId, onQuery, autoFocus = false, onClose }: Props) {
  const ids = { input: useId(), results: useId() };
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Results>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const conversations = useMessenger((s) => s.conversations);

  useEffect(() => {
    const q = query.trim();
    onQuery?.(q);
    setError(null);
    if (q === '') return setResults(null);
    const request = ++latest.current;
    const timer = setTimeout(() => {
      api.search(q, conversationId).then(
        (r) => request === latest.current && setResults({ query: q, hits: r.data, truncated: r.truncated }),
        (err: unknown) => request === latest.current && setError(describeError(err)),
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // onQuery is a notification to the parent, not an input of the search.
  }, [query, conversationId]);

  const open = async (hit: SearchHit) => {
    navigate(threadPath(hit.conversation_id));
    const found = await revealMessage(hit.conversation_id, hit.mid, hit.cursor).catch(() => false);
    if (!found) toast('That message is no longer in the conversation.', 'info');
  };

  const label = conversationId === undefined ? 'Search messages' : 'Search this conversation';
  return (
    <div className="search-panel" role="search">
      <label htmlFor={ids.input} className="visually-hidden">
        {label}
      </label>
      <div className="search-field">
        <Icon name="search" />
        <input
          id={ids.input}
          type="search"
          placeholder={label}
          value={query}
          autoFocus={autoFocus}
          aria-controls={results === null ? undefined : ids.results}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && query === '') onClose?.();
          }}
          maxLength={100}
        />
      </div>
      {error !== null && (
        <p className="form-error small" role="alert">
          {error}
        </p>
      )}
      {results !== null && (
        <div id={ids.results} className="search-results" aria-live="polite">
          {results.hits.length === 0 ? (
            <p className="muted small">No messages with “{results.query}”.</p>
          ) : (
            <ul aria-label={`Messages with “${results.query}”`}>
              {results.hits.map((hit) => (
                <li key={hit.mid}>
                  <button type="button" className="search-hit" onClick={() => void open(hit)}>
                    {conversationId === undefined && (
                      <span className="hit-who">{conversations[hit.conversation_id]?.page.name ?? 'Conversation'}</span>
                    )}
                    <span className="hit-text">
                      {hit.direction === 'in' ? 'You: ' : ''}
                      <Highlight text={hit.snippet} query={results.query} />
                    </span>
                    <time className="hit-when muted small" dateTime={new Date(hit.created_at).toISOString()}>
                      {shortStamp(hit.created_at)}
                    </time>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {results.truncated && (
            <p className="muted small">Only the 2,000 newest messages of each conversation are searched.</p>
          )}
        </div>
      )}
    </div>
  );
}

/** The snippet with the query's words marked (matched without case or accents, as the hub does). */
function Highlight({ text, query }: { text: string; query: string }) {
  const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const words = fold(query)
    .split(/\s+/u)
    .filter((w) => w !== '');
  // Map each folded character back to its source index, so marks land on the original text.
  const map: number[] = [];
  let folded = '';
  for (let i = 0; i < text.length; i++) {
    const f = fold(text[i] ?? '');
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
  }
  const marked = new Array<boolean>(text.length).fill(false);
  for (const w of words) {
    for (let at = folded.indexOf(w); at >= 0; at = folded.indexOf(w, at + w.length)) {
      for (let k = at; k < at + w.length; k++) marked[map[k] ?? 0] = true;
    }
  }
  const parts: { text: string; mark: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const last = parts.at(-1);
    if (last !== undefined && last.mark === marked[i]) last.text += text[i];
    else parts.push({ text: text[i] ?? '', mark: marked[i] === true });
  }
  return <>{parts.map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}</>;
}
