/** A page's declarations (the text customers read when asked for consent) and its live consent counts (never who). */
import type { ConsoleConsentStats, OrgRole } from '@confide/protocol';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { canIntegrate, consoleApi } from './console-api';

const CATEGORIES = ['balances', 'transactions', 'fraud_alerts', 'receipts', 'shipping', 'events'] as const;
const POLL_MS = 5_000;

export function ConsentPanel({ pageId, role }: { pageId: string; role: OrgRole }) {
  const [declared, setDeclared] = useState<{ category: string; purpose: string }[]>([]);
  const [stats, setStats] = useState<ConsoleConsentStats | null>(null);
  const [category, setCategory] = useState<string>('balances');
  const [purpose, setPurpose] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    const [d, s] = await Promise.all([consoleApi.declarations(pageId), consoleApi.consentStats(pageId)]);
    setDeclared(d.data);
    setStats(s);
  }, [pageId]);
  useEffect(() => {
    void refresh().catch((err: unknown) => setError(describeError(err)));
    const timer = setInterval(() => void refresh().catch(() => undefined), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  return (
    <section className="console-card" aria-labelledby="consent-heading">
      <h2 id="consent-heading">Consent</h2>
      {stats !== null && (
        <p data-testid="consent-totals">
          {stats.granted} granted · {stats.revoked} revoked · {stats.expired} expired · {stats.refused_sends} sends
          refused
        </p>
      )}
      <table className="console-table">
        <thead>
          <tr>
            <th>Category</th>
            <th>What customers read</th>
            <th>Granted</th>
            <th>Refused sends</th>
          </tr>
        </thead>
        <tbody>
          {(stats?.by_category ?? []).map((c) => (
            <tr key={c.category}>
              <td>{c.category}</td>
              <td>{declared.find((d) => d.category === c.category)?.purpose ?? <em>not declared</em>}</td>
              <td>{c.granted}</td>
              <td>{c.refused_sends}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canIntegrate(role) && (
        <form
          className="console-inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (purpose.trim() === '') return setError('Write what customers will read.');
            setError(null);
            consoleApi.declare(pageId, category, purpose.trim()).then(
              () => {
                setPurpose('');
                return refresh();
              },
              (err: unknown) => setError(describeError(err)),
            );
          }}
        >
          <label htmlFor="declare-category">Declare</label>
          <select id="declare-category" value={category} onChange={(e) => setCategory(e.target.value)}>
            {CATEGORIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <label htmlFor="declare-purpose">Text customers read</label>
          <input id="declare-purpose" value={purpose} maxLength={300} onChange={(e) => setPurpose(e.target.value)} />
          <button className="button" type="submit">
            Save
          </button>
        </form>
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {stats !== null && (
        <p className="muted">
          Refused sends counted since {new Date(stats.refusals_since).toLocaleString()} (this hub process). Counts only:
          the console never shows who.
        </p>
      )}
    </section>
  );
}
