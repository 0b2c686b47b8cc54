/**
 * The privacy center's "Text messages": the phone number a fraud alert is texted to when it
 * stays unanswered (verified by a code texted to it), its state (on, or stopped by replying
 * STOP), and removing it.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { toast } from '../../components/toasts';
import { describeError, request } from '../../lib/api';

interface PhoneView {
  phone: string;
  verified: boolean;
  texts: 'on' | 'stopped';
}

const getPhone = () => request<{ data: PhoneView | null }>('GET', '/api/sms/phone');
const setPhone = (phone: string) => request<{ data: PhoneView }>('PUT', '/api/sms/phone', { phone });
const verifyPhone = (code: string) => request<{ data: PhoneView }>('POST', '/api/sms/phone/verify', { code });
const removePhone = () => request<void>('DELETE', '/api/sms/phone');

export function PhoneSettings() {
  const [phone, setView] = useState<PhoneView | null | undefined>(undefined);
  const [number, setNumber] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(async () => {
    try {
      setView((await getPhone()).data);
    } catch {
      setView(undefined);
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);
  if (phone === undefined) return null;

  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await action();
      toast(done, 'success');
      await refresh();
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  const submitNumber = (e: FormEvent) => {
    e.preventDefault();
    void run(() => setPhone(number.replace(/[\s()-]/g, '')), 'We texted you a code.');
  };
  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    void run(() => verifyPhone(code.trim()), 'Your number is verified.');
  };

  return (
    <section className="privacy-card phone-settings" aria-labelledby="phone-title">
      <h3 id="phone-title">Text messages</h3>
      <p className="muted small">
        A fraud alert you have not answered after a few minutes is texted to this number. Reply YES or NO, or STOP to
        stop texts.
      </p>
      {phone !== null && (
        <p>
          {phone.phone} ·{' '}
          {phone.verified
            ? phone.texts === 'on'
              ? 'verified'
              : 'stopped (reply START to turn texts on)'
            : 'not verified yet'}
        </p>
      )}
      {phone !== null && !phone.verified && (
        <form className="inline-form" onSubmit={submitCode}>
          <label>
            Code from the text{' '}
            <input
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              required
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
            />
          </label>
          <button type="submit" className="button primary" disabled={busy}>
            Verify
          </button>
        </form>
      )}
      {(phone === null || !phone.verified) && (
        <form className="inline-form" onSubmit={submitNumber}>
          <label>
            Phone number{' '}
            <input
              type="tel"
              autoComplete="tel"
              placeholder="+44 7700 900123"
              required
              value={number}
              onChange={(e) => setNumber(e.currentTarget.value)}
            />
          </label>
          <button type="submit" className="button" disabled={busy}>
            Text me a code
          </button>
        </form>
      )}
      {phone !== null && (
        <button
          type="button"
          className="button danger"
          disabled={busy}
          onClick={() => void run(removePhone, 'Your number is removed.')}
        >
          Remove number
        </button>
      )}
    </section>
  );
}
