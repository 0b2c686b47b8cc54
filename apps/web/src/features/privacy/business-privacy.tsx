/** One business in the privacy center: link status, consent toggles and expiry, receipts. */
import { useId, useState } from 'react';
import { Avatar } from '../../components/avatar';
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { fullDate } from '../../lib/time';
import { grantConsent, receiptUrl, renewConsent, revokeConsent, unlinkBusiness, type PrivacyBusiness } from './privacy-api';

const STATUS_TEXT = { none: 'No access granted', active: 'Access granted', expired: 'Access expired', revoked: 'Access revoked' } as const;

export function BusinessPrivacy({ business, onChanged }: { business: PrivacyBusiness; onChanged: () => Promise<void> }) {
  const { page, consent } = business;
  const granted = consent.status === 'active' ? consent.categories : [];
  const [selected, setSelected] = useState<string[]>(granted);
  const [busy, setBusy] = useState(false);
  const baseId = useId();
  const dirty = selected.length !== granted.length || selected.some((c) => !granted.includes(c));

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

  const toggle = (category: string) => setSelected((s) => (s.includes(category) ? s.filter((c) => c !== category) : [...s, category]));

  return (
    <article className="privacy-card" aria-labelledby={`${baseId}-name`}>
      <header className="privacy-card-header">
        <Avatar id={page.id} name={page.name} />
        <div>
          <h3 id={`${baseId}-name`}>{page.name}</h3>
          <p className="muted small">
            {business.linked ? `Account linked${business.linked_at === null ? '' : ` since ${fullDate(business.linked_at)}`}` : 'Account not linked'}
          </p>
        </div>
        <span className={`status-pill status-${consent.status}`}>{STATUS_TEXT[consent.status]}</span>
      </header>

      {business.declared.length > 0 ? (
        <fieldset className="consent-fields" disabled={busy}>
          <legend>What {page.name} may see</legend>
          {business.declared.map((d) => (
            <label key={d.category} className="toggle-row">
              <input type="checkbox" role="switch" checked={selected.includes(d.category)} onChange={() => toggle(d.category)} />
              <span className="toggle-text">
                <span className="toggle-title">{humanize(d.category)}</span>
                <span className="muted small">{d.purpose}</span>
              </span>
            </label>
          ))}
        </fieldset>
      ) : (
        <p className="muted small">{page.name} has not declared any data it wants to use.</p>
      )}

      {consent.expires_at !== null && consent.status !== 'none' && (
        <p className={`small${consent.status === 'expired' ? ' warn' : ' muted'}`}>
          {consent.status === 'expired' ? 'Expired' : 'Expires'} {fullDate(consent.expires_at)}
        </p>
      )}

      <div className="privacy-actions">
        {dirty && (
          <button
            type="button"
            className="button primary"
            disabled={busy}
            onClick={() =>
              void run(
                () => (selected.length === 0 ? revokeConsent(page.id) : grantConsent(page.id, selected)),
                selected.length === 0 ? 'Access revoked.' : 'Access updated.',
              )
            }
          >
            Save
          </button>
        )}
        {(consent.status === 'active' || consent.status === 'expired') && (
          <button type="button" className="button" disabled={busy} onClick={() => void run(() => renewConsent(page.id), 'Access renewed.')}>
            Renew
          </button>
        )}
        {consent.status === 'active' && (
          <button type="button" className="button" disabled={busy} onClick={() => void run(() => revokeConsent(page.id), 'Access revoked.')}>
            Revoke all
          </button>
        )}
        {business.linked && (
          <button
            type="button"
            className="button danger"
            disabled={busy}
            onClick={() => {
              if (confirm(`Unlink your ${page.name} account? ${page.name} will no longer know who you are here.`))
                void run(() => unlinkBusiness(page.id), `${page.name} account unlinked.`);
            }}
          >
            Unlink
          </button>
        )}
        {page.privacy_policy_url !== null && /^https?:\/\//.test(page.privacy_policy_url) && (
          <a className="button subtle" href={page.privacy_policy_url} target="_blank" rel="noopener noreferrer">
            Privacy policy <Icon name="external" size={14} label="(opens in a new tab)" />
          </a>
        )}
      </div>

      {business.receipts.length > 0 && (
        <details className="receipts">
          <summary>Consent receipts ({business.receipts.length})</summary>
          <ul>
            {business.receipts.map((r) => (
              <li key={r.id}>
                <a href={receiptUrl(r.id)} download>
                  <Icon name="download" size={16} /> {fullDate(r.issued_at)}
                </a>{' '}
                <span className="muted small">{r.categories.map(humanize).join(', ') || 'No categories'}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}

const humanize = (category: string) => category.replace(/[_.-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
