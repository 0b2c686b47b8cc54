/**
 * A business's consent receipts: each opens to what was granted, for what purposes, when and
 * until when, and whether the hub's signature verifies (checked here, in the browser, against
 * the hub's published keys). The signed receipt (JWS) stays downloadable.
 */
import { useEffect, useState } from 'react';
import { Icon } from '../../components/icon';
import { request } from '../../lib/api';
import { fullDate } from '../../lib/time';
import { categoryName } from '../thread/consent-sheet';
import { receiptUrl, type PrivacyBusiness } from './privacy-api';
import { verifyReceipt, type Verification } from './verify-receipt';

const PURPOSE_WORDS: Readonly<Record<string, string>> = {
  notifications: 'sending you notifications',
  account_management: 'managing your account',
};

function ReceiptDetails({ id }: { id: string }) {
  const [result, setResult] = useState<Verification | 'loading'>('loading');
  useEffect(() => {
    let live = true;
    const check = async (): Promise<Verification> => {
      try {
        const [receipt, jwks] = await Promise.all([
          request<{ jws: string }>('GET', receiptUrl(id)),
          request<{ keys: Array<JsonWebKey & { kid?: string }> }>('GET', '/.well-known/jwks.json'),
        ]);
        return await verifyReceipt(receipt.jws, jwks.keys);
      } catch {
        return { valid: false, reason: 'the receipt could not be loaded' };
      }
    };
    void check().then((r) => live && setResult(r));
    return () => {
      live = false;
    };
  }, [id]);
  if (result === 'loading') return <p className="muted small">Checking the signature…</p>;
  if (!result.valid)
    return (
      <p className="receipt-check bad" role="status">
        <Icon name="alert" size={16} /> Signature not verified: {result.reason}.
      </p>
    );
  const c = result.claims;
  return (
    <dl className="receipt-view">
      <dt>Allowed</dt>
      <dd>{c.categories.length === 0 ? 'Nothing' : c.categories.map(categoryName).join(', ')}</dd>
      <dt>Only for</dt>
      <dd>{c.purposes.map((p) => PURPOSE_WORDS[p] ?? p.replaceAll('_', ' ')).join(' and ')}</dd>
      <dt>Granted</dt>
      <dd>{fullDate(c.granted_at)}</dd>
      <dt>Until</dt>
      <dd>{fullDate(c.expires_at)}</dd>
      <dt>Shared with others</dt>
      <dd>{c.third_party_disclosure ? 'Yes' : 'Never'}</dd>
      <dt>Signature</dt>
      <dd>
        <span className="receipt-check good" role="status">
          <Icon name="check" size={16} /> Verified: signed by this Confide hub (key {result.kid.slice(0, 8)})
        </span>
      </dd>
    </dl>
  );
}

export function ConsentReceipts({ receipts }: { receipts: PrivacyBusiness['receipts'] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (receipts.length === 0) return null;
  return (
    <details className="receipts">
      <summary>Consent receipts ({receipts.length})</summary>
      <ul>
        {receipts.map((r) => (
          <li key={r.id}>
            <div className="receipt-row">
              <button
                type="button"
                className="link-button"
                aria-expanded={open === r.id}
                onClick={() => setOpen(open === r.id ? null : r.id)}
              >
                {fullDate(r.issued_at)}: {r.categories.map(categoryName).join(', ') || 'nothing allowed'}
              </button>
              <a
                href={receiptUrl(r.id)}
                download={`confide-receipt-${r.id}.json`}
                aria-label={`JWS: download the signed receipt of ${fullDate(r.issued_at)}`}
              >
                <Icon name="download" size={16} /> JWS
              </a>
            </div>
            {open === r.id && <ReceiptDetails id={r.id} />}
          </li>
        ))}
      </ul>
    </details>
  );
}
