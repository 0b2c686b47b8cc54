/** One business in the privacy center: link status, what it may send you (saved at once), expiry, unlinking, receipts. */
import { useId, useState } from 'react';
import { Avatar } from '../../components/avatar';
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { fullDate } from '../../lib/time';
import { ConsentReceipts } from './consent-receipts';
import { ConsentToggles } from './consent-toggles';
import { renewConsent, revokeConsent, type PrivacyBusiness } from './privacy-api';
import { UnlinkPanel } from './unlink-panel';

const STATUS_TEXT = {
  none: 'No access granted',
  active: 'Access granted',
  expired: 'Access expired',
  revoked: 'Access revoked',
} as const;

export function BusinessPrivacy({
  business,
  onChanged,
}: {
  business: PrivacyBusiness;
  onChanged: () => Promise<void>;
}) {
  const { page, consent } = business;
  const [busy, setBusy] = useState(false);
  const baseId = useId();

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
        <Avatar id={page.id} name={page.name} />
        <div>
          <h3 id={`${baseId}-name`}>{page.name}</h3>
          <p className="muted small">
            {business.linked
              ? `Account linked${business.linked_at === null ? '' : ` since ${fullDate(business.linked_at)}`}`
              : 'Account not linked'}
          </p>
        </div>
        <span className={`status-pill status-${consent.status}`}>{STATUS_TEXT[consent.status]}</span>
      </header>

      <ConsentToggles business={business} onChanged={onChanged} />

      {consent.expires_at !== null && consent.status !== 'none' && (
        <p className={`small${consent.status === 'expired' ? ' warn' : ' muted'}`}>
          {consent.status === 'expired' ? 'Expired' : 'Expires'} {fullDate(consent.expires_at)}
        </p>
      )}

      <div className="privacy-actions">
        {(consent.status === 'active' || consent.status === 'expired') && (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void run(() => renewConsent(page.id), 'Access renewed.')}
          >
            Renew
          </button>
        )}
        {consent.status === 'active' && (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void run(() => revokeConsent(page.id), 'Access revoked.')}
          >
            Revoke all
          </button>
        )}
        <UnlinkPanel business={business} onChanged={onChanged} />
        {page.privacy_policy_url !== null && /^https?:\/\//.test(page.privacy_policy_url) && (
          <a className="button subtle" href={page.privacy_policy_url} target="_blank" rel="noopener noreferrer">
            Privacy policy <Icon name="external" size={14} label="(opens in a new tab)" />
          </a>
        )}
      </div>

      <ConsentReceipts receipts={business.receipts} />
    </article>
  );
}
