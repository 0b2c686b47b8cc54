/** Agent login: the page's human agents sign in with the account `confide agent create` made. */
import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../../lib/api';
import { inboxApi } from './inbox-api';
import { setAgent } from './inbox-state';

export function AgentLogin() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { user: useId(), pass: useId(), error: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      setAgent((await inboxApi.logIn({ username, password })).agent);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <span>Confide Inbox</span>
        </div>
        <h1>Agent sign in</h1>
        <p className="muted">Answer the customers your bank's assistant handed over to a person.</p>
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
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {error !== null && (
            <p id={ids.error} className="form-error" role="alert">
              {error}
            </p>
          )}
          <button className="button primary block" type="submit" disabled={busy}>
            {busy ? 'Please wait…' : 'Log in'}
          </button>
        </form>
      </div>
    </main>
  );
}
