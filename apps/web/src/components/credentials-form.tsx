/**
 * The username and password form of both sign-in screens, with its busy state. A problem
 * with one field is shown under that field (and marks it invalid for assistive technology);
 * anything else is one line under the form. Empty fields are caught before anything is sent.
 */
import { useId, useState, type FormEvent } from 'react';
import type { CredentialsBody } from '@confide/protocol';
import { describeError } from '../lib/api';

/** A problem to show: under one field, or (no field) under the form. */
export interface FormProblem {
  field?: 'username' | 'password';
  message: string;
}

export interface CredentialsFormOptions {
  /** Sends the credentials; what it throws is shown under the form. */
  send(credentials: CredentialsBody): Promise<void>;
  /** Checks the input before anything is sent (after the empty-field check): a problem, or null. */
  validate?(credentials: CredentialsBody): FormProblem | null;
}

/** The check every credentials form makes first: both fields filled in. */
export function missingField({ username, password }: CredentialsBody): FormProblem | null {
  if (username.trim() === '') return { field: 'username', message: 'Enter your username.' };
  if (password === '') return { field: 'password', message: 'Enter your password.' };
  return null;
}

/** The form's state; kept by the screen so that it can clear the error (e.g. when switching to sign-up). */
export function useCredentialsForm({ send, validate }: CredentialsFormOptions) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const invalid = missingField({ username, password }) ?? validate?.({ username, password }) ?? null;
    if (invalid !== null) return setProblem(invalid);
    setBusy(true);
    try {
      await send({ username: username.trim(), password });
    } catch (err) {
      setProblem({ message: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const edit = (field: 'username' | 'password', set: (value: string) => void) => (value: string) => {
    set(value);
    setProblem((p) => (p?.field === field ? null : p));
  };
  return {
    username,
    setUsername: edit('username', setUsername),
    password,
    setPassword: edit('password', setPassword),
    problem,
    clearError: () => setProblem(null),
    busy,
    submit,
  };
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
  const { problem } = form;
  const on = (field: 'username' | 'password') => problem?.field === field;
  const message = problem?.message ?? '';
  const describedBy = (...parts: (string | false)[]) =>
    parts.filter((p): p is string => p !== false).join(' ') || undefined;
  return (
    <form
      onSubmit={form.submit}
      noValidate
      aria-describedby={problem !== null && problem.field === undefined ? ids.error : undefined}
    >
      <label htmlFor={ids.user}>Username</label>
      <input
        id={ids.user}
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        aria-invalid={on('username') || undefined}
        aria-describedby={describedBy(on('username') && ids.error)}
        value={form.username}
        onChange={(e) => form.setUsername(e.target.value)}
      />
      {on('username') && <FieldError id={ids.error} message={message} />}
      <label htmlFor={ids.pass}>Password</label>
      <input
        id={ids.pass}
        name="password"
        type="password"
        autoComplete={newPassword === undefined ? 'current-password' : 'new-password'}
        required
        minLength={newPassword?.minLength}
        aria-invalid={on('password') || undefined}
        aria-describedby={describedBy(newPassword !== undefined && ids.hint, on('password') && ids.error)}
        value={form.password}
        onChange={(e) => form.setPassword(e.target.value)}
      />
      {on('password') && <FieldError id={ids.error} message={message} />}
      {newPassword !== undefined && (
        <p id={ids.hint} className="hint">
          {newPassword.hint}
        </p>
      )}
      {problem !== null && problem.field === undefined && <FieldError id={ids.error} message={message} />}
      <button className="button primary block" type="submit" disabled={form.busy}>
        {form.busy ? 'Please wait…' : submitLabel}
      </button>
    </form>
  );
}

function FieldError({ id, message }: { id: string; message: string }) {
  return (
    <p id={id} className="form-error" role="alert">
      {message}
    </p>
  );
}
