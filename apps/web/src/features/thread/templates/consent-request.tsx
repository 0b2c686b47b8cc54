/**
 * The hub's consent request card ("Sandbox Shop would like to send you receipts and
 * shipping updates", Allow / Not now). It is Confide's, not the business's: the Send API
 * cannot produce it, and its buttons act only through the hub's request record. Allow opens
 * the consent sheet; the answer is recorded once and the card then says what was decided.
 */
import { useEffect, useState } from 'react';
import { Icon } from '../../../components/icon';
import { toast } from '../../../components/toasts';
import { api, describeError, type ConsentRequestView } from '../../../lib/api';
import { str, type Json } from '../../../lib/payload';
import type { ButtonContext } from '../message-button';
import { ConsentSheet, categoryName } from '../consent-sheet';

export function ConsentRequestCard({ payload, ctx }: { payload: Json; ctx: ButtonContext }) {
  const requestId = str(payload, 'request_id');
  const [view, setView] = useState<ConsentRequestView | null>(null);
  const [failed, setFailed] = useState(false);
  const [sheet, setSheet] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (requestId === undefined || ctx.mine === true) return;
    let live = true;
    api.consentRequest(requestId).then(
      (v) => live && setView(v),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [requestId, ctx.mine]);

  const answer = async (allow: boolean, categories?: string[]) => {
    if (requestId === undefined) return;
    setBusy(true);
    try {
      setView(await api.answerConsentRequest(requestId, categories === undefined ? { allow } : { allow, categories }));
      setSheet(false);
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const text = str(payload, 'text') ?? `${ctx.pageName} would like to send you updates.`;
  return (
    <div className="card button-template consent-request">
      <div className="card-text">
        <p className="consent-request-by">
          <Icon name="shield" size={16} /> Confide · consent request
        </p>
        <p>{text}</p>
        {view !== null && view.status === 'allowed' && (
          <p className="card-subtitle">You allowed this. Change it any time in Privacy.</p>
        )}
        {view !== null && view.status === 'declined' && (
          <p className="card-subtitle">You answered Not now. Nothing was allowed.</p>
        )}
        {failed && <p className="card-subtitle">This request is no longer available.</p>}
      </div>
      {view?.status === 'open' && (
        <div className="card-buttons consent-request-buttons">
          <button type="button" className="msg-button" onClick={() => setSheet(true)} disabled={busy}>
            Allow…
          </button>
          <button type="button" className="msg-button" onClick={() => void answer(false)} disabled={busy}>
            Not now
          </button>
        </div>
      )}
      {sheet && view !== null && (
        <ConsentSheet
          pageName={view.page.name}
          categories={view.categories}
          busy={busy}
          onAllow={(chosen) => void answer(true, chosen)}
          onClose={() => setSheet(false)}
        />
      )}
      <span className="visually-hidden">{view?.categories.map((c) => categoryName(c.category)).join(', ')}</span>
    </div>
  );
}

/**
 * The hub's quiet notice that a business's update was refused for lack of consent
 * ("Sandbox Shop tried to send you a receipt."): one collapsed line; opened, it says what is
 * off and offers Allow… through the same sheet. The hub posts at most one per category a day.
 */
export function ConsentNotice({ payload, ctx }: { payload: Json; ctx: ButtonContext }) {
  const requestId = str(payload, 'request_id');
  const [view, setView] = useState<ConsentRequestView | null>(null);
  const [sheet, setSheet] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    if (requestId === undefined || view !== null) return;
    try {
      setView(await api.consentRequest(requestId));
    } catch {
      // An erased or foreign request: the notice stays a line of text.
    }
  };
  const allow = async (categories: string[]) => {
    if (requestId === undefined) return;
    setBusy(true);
    try {
      setView(await api.answerConsentRequest(requestId, { allow: true, categories }));
      setSheet(false);
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="consent-notice" onToggle={(e) => (e.currentTarget.open ? void load() : undefined)}>
      <summary>
        <Icon name="bell" size={14} /> {str(payload, 'text') ?? `${ctx.pageName} tried to send you an update.`}
      </summary>
      <p>{str(payload, 'detail')}</p>
      {view?.status === 'open' && (
        <button type="button" className="button subtle" onClick={() => setSheet(true)} disabled={busy}>
          Allow…
        </button>
      )}
      {view?.status === 'allowed' && <p className="muted small">You allowed this. Change it any time in Privacy.</p>}
      {sheet && view !== null && (
        <ConsentSheet
          pageName={view.page.name}
          categories={view.categories}
          busy={busy}
          onAllow={(chosen) => void allow(chosen)}
          onClose={() => setSheet(false)}
        />
      )}
    </details>
  );
}
