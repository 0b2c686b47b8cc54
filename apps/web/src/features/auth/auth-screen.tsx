/** Sign in and sign up, on one accessible form with a mode switch. */
import { useId, useState, type FormEvent } from 'react';
import { UsernameSchema } from '@confide/protocol';
import { api, describeError } from '../../lib/api';
import { setSession } from './session';

type Mode = 'login' | 'signup';

export function AuthScreen() {
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { user: useId(), pass: useId(), hint: useId(), error: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (mode === 'signup') {
      const valid = UsernameSchema.safeParse(username);
      if (!valid.success) return setError('Usernames are 3–32 letters, digits, dots, dashes or underscores.');
      if (password.length < 8) return setError('Choose a password of at least 8 characters.');
    }
    setBusy(true);
    try {
      const body = { username, password };
      const { customer } = mode === 'login' ? await api.logIn(body) : await api.signUp(body);
      setSession(customer);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const signup = mode === 'signup';
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <span>Confide</span>
        </div>
        <h1>{signup ? 'Create your account' : 'Welcome back'}</h1>
        <p className="muted">Private conversations with your bank and the businesses you trust.</p>
        <form onSubmit={submit} noValidate aria-describedby={error === null ? undefined : ids.error}>
          <label htmlFor={ids.user}>Username</label>
          <input
            id={ids.user}
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
          <label htmlFor={ids.pass}>Password</label>
          <input
            id={ids.pass}
            name="password"
            type="password"
            autoComplete={signup ? 'new-password' : 'current-password'}
            required
            minLength={signup ? 8 : undefined}
            aria-describedby={signup ? ids.hint : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {signup && (
            <p id={ids.hint} className="hint">
              At least 8 characters.
            </p>
          )}
          {error !== null && (
            <p id={ids.error} className="form-error" role="alert">
              {error}
            </p>
          )}
          <button className="button primary block" type="submit" disabled={busy}>
            {busy ? 'Please wait…' : signup ? 'Sign up' : 'Log in'}
          </button>
        </form>
        <p className="switch">
          {signup ? 'Already have an account?' : 'New to Confide?'}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setMode(signup ? 'login' : 'signup');
              setError(null);
            }}
          >
            {signup ? 'Log in' : 'Create an account'}
          </button>
        </p>
      </div>
    </main>
  );
}
