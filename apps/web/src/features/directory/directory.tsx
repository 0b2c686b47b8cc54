/** Search the hub's directory of banks and businesses and start a conversation. */
import { useEffect, useId, useRef, useState } from 'react';
import type { PageSummary } from '@confide/protocol';
import { Avatar } from '../../components/avatar';
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { api, describeError } from '../../lib/api';
import { navigate, threadPath } from '../../lib/router';
import { startConversation } from '../conversations/messenger';
import { BackButton } from '../../components/back-button';

export function Directory() {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<PageSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      api
        .searchPages(query.trim())
        .then(({ data }) => !cancelled && (setResults(data), setError(null)))
        .catch((err: unknown) => !cancelled && setError(describeError(err)));
    }, 200);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query]);

  const open = async (page: PageSummary) => {
    setOpening(page.id);
    try {
      navigate(threadPath(await startConversation(page.id)));
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setOpening(null);
    }
  };

  return (
    <section
      className="pane directory"
      aria-labelledby={`${inputId}-title`}
      onKeyDown={(e) => e.key === 'Escape' && navigate('/')}
    >
      <header className="pane-header">
        <BackButton to="/" />
        <h2 id={`${inputId}-title`}>New conversation</h2>
      </header>
      <div className="pane-body">
        <div className="search-field">
          <Icon name="search" />
          <label htmlFor={inputId} className="visually-hidden">
            Search banks and businesses
          </label>
          <input
            id={inputId}
            ref={input}
            type="search"
            placeholder="Search banks and businesses"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            autoComplete="off"
          />
        </div>
        {error !== null && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <p className="visually-hidden" role="status">
          {results === null ? '' : `${results.length} result${results.length === 1 ? '' : 's'}`}
        </p>
        {results !== null && results.length === 0 && <p className="muted center">No business matches “{query}”.</p>}
        <ul className="directory-results" aria-label="Businesses">
          {(results ?? []).map((page) => (
            <li key={page.id}>
              <button
                type="button"
                className="directory-item"
                onClick={() => void open(page)}
                disabled={opening !== null}
                aria-busy={opening === page.id}
              >
                <Avatar id={page.id} name={page.name} picture_url={page.picture_url} />
                <span className="directory-text">
                  <span className="directory-name">
                    {page.name}{' '}
                    <span className={`tag tag-${page.category}`}>{page.category === 'bank' ? 'Bank' : 'Business'}</span>
                  </span>
                  <span className="muted small">{page.description}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
