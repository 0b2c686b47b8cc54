/**
 * "Your assistants": each assistant the customer connected (an MCP client, a voice
 * skill), the businesses and updates it may read, whether it may act, its history with
 * signed receipts; change it, or remove it (it stops on its next request).
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { describeError, isApiError } from '../../lib/api';
import { fullDate } from '../../lib/time';
import { changeAssistant, listAssistants, removeAssistant, type AssistantGrantView } from './assistants-api';
import { listBusinesses } from './privacy-api';

const CATEGORIES = ['balances', 'transactions', 'fraud_alerts', 'receipts', 'shipping', 'events'] as const;
const humanize = (category: string) => category.replace(/[_.-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

export function YourAssistants() {
  const [assistants, setAssistants] = useState<AssistantGrantView[] | undefined>(undefined);
  const [businesses, setBusinesses] = useState<Array<{ id: string; name: string }>>([]);
  const titleId = useId();

  const refresh = useCallback(async () => {
    try {
      const [{ data }, known] = await Promise.all([listAssistants(), listBusinesses()]);
      setAssistants(data);
      setBusinesses(known.data.map((b) => ({ id: b.page.id, name: b.page.name })));
    } catch (err) {
      // A hub without assistants answers 404: nothing to show.
      if (isApiError(err) && err.status === 404) setAssistants([]);
      else toast(describeError(err), 'error');
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);

  if (assistants === undefined || assistants.length === 0) return null;
  return (
    <section className="your-assistants" aria-labelledby={titleId}>
      <h3 id={titleId}>Your assistants</h3>
      <p className="muted small">
        Assistants you connected read your conversations for you, only what you allow here. Every read is in your access
        log.
      </p>
      <ul className="privacy-list">
        {assistants.map((a) => (
          <li key={a.id}>
            <AssistantCard assistant={a} businesses={businesses} onChanged={refresh} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function AssistantCard({
  assistant,
  businesses,
  onChanged,
}: {
  assistant: AssistantGrantView;
  businesses: Array<{ id: string; name: string }>;
  onChanged: () => Promise<void>;
}) {
  const active = assistant.status === 'active';
  const [pages, setPages] = useState<string[]>(assistant.businesses.map((b) => b.page_id));
  const [categories, setCategories] = useState<string[]>(assistant.categories);
  const [act, setAct] = useState(assistant.act);
  const [busy, setBusy] = useState(false);
  const baseId = useId();
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const dirty =
    !same(
      pages,
      assistant.businesses.map((b) => b.page_id),
    ) ||
    !same(categories, assistant.categories) ||
    act !== assistant.act;
  const choices = [
    ...businesses,
    ...assistant.businesses
      .filter((b) => !businesses.some((k) => k.id === b.page_id))
      .map((b) => ({ id: b.page_id, name: b.name })),
  ];
  const flip = (list: string[], value: string) =>
    list.includes(value) ? list.filter((v) => v !== value) : [...list, value];

  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await action();
      toast(done, 'success');
      await onChanged();
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="privacy-card" aria-labelledby={`${baseId}-name`}>
      <header className="privacy-card-header">
        <Icon name="shield" size={24} />
        <div>
          <h4 id={`${baseId}-name`}>{assistant.name}</h4>
          <p className="muted small">
            Connected {fullDate(assistant.granted_at)}
            {active ? ` · until ${fullDate(assistant.expires_at)}` : ''}
          </p>
        </div>
        <span className={`status-pill status-${active ? 'active' : 'revoked'}`}>
          {active ? 'Connected' : 'Removed'}
        </span>
      </header>
      {active && (
        <>
          <fieldset className="consent-fields" disabled={busy}>
            <legend>Businesses it may talk to</legend>
            {choices.map((b) => (
              <label key={b.id} className="toggle-row">
                <input
                  type="checkbox"
                  role="switch"
                  checked={pages.includes(b.id)}
                  onChange={() => setPages((p) => flip(p, b.id))}
                />
                <span className="toggle-text">
                  <span className="toggle-title">{b.name}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset className="consent-fields" disabled={busy}>
            <legend>Updates it may read</legend>
            {CATEGORIES.map((c) => (
              <label key={c} className="toggle-row">
                <input
                  type="checkbox"
                  role="switch"
                  checked={categories.includes(c)}
                  onChange={() => setCategories((l) => flip(l, c))}
                />
                <span className="toggle-text">
                  <span className="toggle-title">{humanize(c)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset className="consent-fields" disabled={busy}>
            <legend>Acting for you</legend>
            <label className="toggle-row">
              <input type="checkbox" role="switch" checked={act} onChange={() => setAct((v) => !v)} />
              <span className="toggle-text">
                <span className="toggle-title">May act for me</span>
                <span className="muted small">Answer fraud alerts and use the actions a business offers.</span>
              </span>
            </label>
          </fieldset>
          <div className="privacy-actions">
            {dirty && (
              <button
                type="button"
                className="button primary"
                disabled={busy || pages.length === 0 || categories.length === 0}
                onClick={() =>
                  void run(
                    () => changeAssistant(assistant.id, { page_ids: pages, categories, act }),
                    'Assistant updated.',
                  )
                }
              >
                Save
              </button>
            )}
            <button
              type="button"
              className="button danger"
              disabled={busy}
              onClick={() => {
                if (confirm(`Remove ${assistant.name}? It stops working on its next request.`))
                  void run(() => removeAssistant(assistant.id), `${assistant.name} removed.`);
              }}
            >
              Remove
            </button>
          </div>
        </>
      )}
      <details className="receipts">
        <summary>History ({assistant.history.length})</summary>
        <ul>
          {assistant.history.map((h, i) => (
            <li key={i}>
              {h.event === 'granted' ? 'Allowed' : h.event === 'changed' ? 'Changed' : 'Removed'} {fullDate(h.at)}{' '}
              <span className="muted small">
                {h.categories.map(humanize).join(', ')}
                {h.act ? ' · may act' : ''}
              </span>{' '}
              {h.receipt !== null && (
                <a
                  href={`data:application/jwt;charset=utf-8,${encodeURIComponent(h.receipt)}`}
                  download={`assistant-receipt-${h.at}.jwt`}
                >
                  <Icon name="download" size={16} /> Receipt
                </a>
              )}
            </li>
          ))}
        </ul>
      </details>
    </article>
  );
}
