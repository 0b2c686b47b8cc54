/**
 * "Your data": who accessed it and why (from the hub's audit log), a machine-readable
 * download of everything, and account deletion explained in plain words.
 */
import type { DeleteAccountBody } from '@confide/protocol';
import { useId, useState, type FormEvent } from 'react';
import { describeError, request } from '../../lib/api';
import { noteAccountDeleted } from '../auth/farewell';
import { setSession } from '../auth/session';
import { navigate } from '../../lib/router';
import { AccessLog } from './access-log';

function DeleteAccount() {
  const ids = { password: useId(), error: useId(), explain: useId() };
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await request<void>('DELETE', '/api/account', { password } satisfies DeleteAccountBody);
      // Back to the start, signed out; the messenger's state goes with its session.
      noteAccountDeleted();
      navigate('/', { replace: true });
      setSession(null);
    } catch (err) {
      setError(describeError(err, { INVALID_CREDENTIALS: 'That password is not right.' }));
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button type="button" className="button danger" onClick={() => setOpen(true)}>
        Delete my account…
      </button>
    );
  }
  return (
    <form className="delete-account" onSubmit={(e) => void submit(e)} aria-describedby={ids.explain}>
      <div id={ids.explain}>
        <p>
          <strong>Deleting your account cannot be undone.</strong> Your conversations, messages and attachments are
          erased, and the key that encrypted them is destroyed, so not even a backup of the hub can be read back. Your
          links with businesses end and they are told you unlinked.
        </p>
        <p className="muted small">
          The businesses keep what they already received (their own records, such as your bank statements). The hub
          keeps a tamper-evident log that your account was deleted, without any of your content. Download your data
          first if you want a copy.
        </p>
      </div>
      <label htmlFor={ids.password}>Confirm with your password</label>
      <input
        id={ids.password}
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-describedby={error === null ? undefined : ids.error}
      />
      {error !== null && (
        <p id={ids.error} className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="privacy-actions">
        <button type="submit" className="button danger" disabled={busy || password === ''}>
          Delete my account permanently
        </button>
        <button type="button" className="button subtle" onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function YourData() {
  return (
    <section className="privacy-card your-data" aria-labelledby="your-data-title">
      <h3 id="your-data-title">Your data</h3>
      <details className="receipts">
        <summary>Access log: who accessed your data, and why</summary>
        <AccessLog />
      </details>
      <div className="privacy-actions">
        <a className="button" href="/api/privacy/export" download="confide-export.json">
          Download my data
        </a>
      </div>
      <p className="muted small">
        A JSON file with your profile, conversations, consents and receipts, and the access log.
      </p>
      <DeleteAccount />
    </section>
  );
}
