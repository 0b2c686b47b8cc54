/** The username and password form of both sign-in screens, with its busy state and one error line. */
import { useId, useState, type FormEvent } from 'react';
import type { CredentialsBody } from '@confide/protocol';
import { describeError } from '../lib/api';

export interface CredentialsFormOptions {
  /** Sends the credentials; what it throws is shown under the form. */
  send(credentials: CredentialsBody): Promise<void>;
  /** Checks the input before anything is sent: a message to show, or null. */
  validate?(credentials: CredentialsBody): string | null;
}

/** The form's state; kept by the screen so that it can clear the error (e.g. when switching to sign-up). */
export function useCredentialsForm({ send, validate }: CredentialsFormOptions) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const invalid = validate?.({ username, password }) ?? null;
    if (invalid !== null) return setError(invalid);
    setBusy(true);
    try {
      await send({ username, password });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return { username, setUsername, password, setPassword, error, clearError: () => setError(null), busy, submit };
}

export type CredentialsFormState = ReturnType<typeof useCredentialsForm>;

interface Props {
  form: CredentialsFormState;
  submitLabel: string;
  /** For a new account: the browser offers a new password, and `hint` says what it needs. */
  newPassword?: { minLength: number; hint: string };
}

export function CredentialsForm({ form, submitLabel, newPassword }: Props) {
  const ids = { user: useId(), pass: useId(), hint: useId(), error: useId() };
  return (
    <form onSubmit={form.submit} noValidate aria-describedby={form.error === null ? undefined : ids.error}>
      <label htmlFor={ids.user}>Username</label>
      <input
        id={ids.user}
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        value={form.username}
        onChange={(e) => form.setUsername(e.target.value)}
      />
      <label htmlFor={ids.pass}>Password</label>
      <input
        id={ids.pass}
        name="password"
        type="password"
        autoComplete={newPassword === undefined ? 'current-password' : 'new-password'}
        required
        minLength={newPassword?.minLength}
        aria-describedby={newPassword === undefined ? undefined : ids.hint}
        value={form.password}
        onChange={(e) => form.setPassword(e.target.value)}
      />
      {newPassword !== undefined && (
        <p id={ids.hint} className="hint">
          {newPassword.hint}
        </p>
      )}
      {form.error !== null && (
        <p id={ids.error} className="form-error" role="alert">
          {form.error}
        </p>
      )}
      <button className="button primary block" type="submit" disabled={form.busy}>
        {form.busy ? 'Please wait…' : submitLabel}
      </button>
    </form>
  );
}
