/**
 * Unlinking a business account, with the choice made explicit: the business no longer knows
 * who you are here and may send you nothing more; optionally the conversation history is
 * erased too (the hub shreds its key). Confirmed in place, not in a browser dialog.
 */
import { useId, useState } from 'react';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { unlinkBusiness, type PrivacyBusiness } from './privacy-api';

export function UnlinkPanel({ business, onChanged }: { business: PrivacyBusiness; onChanged: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [erase, setErase] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const name = business.page.name;
  if (!business.linked) return null;

  const confirmUnlink = async () => {
    setBusy(true);
    try {
      await unlinkBusiness(business.page.id, erase);
      await onChanged();
      setOpen(false);
      toast(erase ? `${name} account unlinked and your conversation erased.` : `${name} account unlinked.`, 'success');
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  if (!open)
    return (
      <button type="button" className="button danger" onClick={() => setOpen(true)}>
        Unlink…
      </button>
    );
  return (
    <div className="unlink-panel" role="group" aria-labelledby={`${id}-title`}>
      <p id={`${id}-title`} className="unlink-title">
        Unlink your {name} account?
      </p>
      <p className="muted small">
        {name} will no longer know who you are here, and everything you allowed it to send you stops.
      </p>
      <label className="toggle-row">
        <input type="checkbox" checked={erase} onChange={(e) => setErase(e.target.checked)} />
        <span className="toggle-text">
          <span className="toggle-title">Also erase our conversation history</span>
          <span className="muted small">
            Every message and file between you and {name} is deleted for good. This cannot be undone.
          </span>
        </span>
      </label>
      <div className="privacy-actions">
        <button type="button" className="button danger" disabled={busy} onClick={() => void confirmUnlink()}>
          {erase ? 'Unlink and erase' : 'Unlink'}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
