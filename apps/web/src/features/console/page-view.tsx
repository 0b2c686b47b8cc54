/** One page: its app id, the app secret (revealed or rotated with the password), page tokens, and its webhook. */
import type { ConsolePage, ConsoleToken, OrgRole } from '@confide/protocol';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { canIntegrate, consoleApi } from './console-api';
import { ConsentPanel } from './consent-panel';
import { MetricsLine } from './metrics-line';
import { PeoplePanel } from './people-panel';
import { PicturePanel } from './picture-panel';
import { TeamsPanel } from './teams-panel';
import { ProfilePanel } from './profile-panel';
import { TemplatesPanel } from './templates-panel';
import { WebhookPanel } from './webhook-panel';

export function PageView({ pageId, role, firstToken }: { pageId: string; role: OrgRole; firstToken: string | null }) {
  const [page, setPage] = useState<ConsolePage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    consoleApi.pages().then(
      (list) => setPage(list.data.find((p) => p.id === pageId) ?? null),
      (err: unknown) => setError(describeError(err)),
    );
  }, [pageId]);
  if (error !== null) return <p className="form-error">{error}</p>;
  if (page === null) return <div aria-busy="true" />;
  return (
    <>
      <section className="console-card">
        <h1>{page.name}</h1>
        <dl className="console-facts">
          <dt>Page id</dt>
          <dd>
            <code>{page.id}</code>
          </dd>
          <dt>App id</dt>
          <dd>
            <code>{page.app_id}</code>
          </dd>
          <dt>Category</dt>
          <dd>{page.category}</dd>
        </dl>
        <PicturePanel page={page} role={role} onChange={setPage} />
        <MetricsLine pageId={pageId} />
        {firstToken !== null && <OnceValue label="First page access token (labelled initial)" value={firstToken} />}
        <AppSecret pageId={pageId} role={role} />
      </section>
      <Tokens pageId={pageId} role={role} />
      <WebhookPanel pageId={pageId} role={role} />
      <ConsentPanel pageId={pageId} role={role} />
      <ProfilePanel pageId={pageId} pageName={page.name} role={role} />
      <TemplatesPanel pageId={pageId} role={role} />
      <PeoplePanel pageId={pageId} role={role} />
      <TeamsPanel pageId={pageId} role={role} />
    </>
  );
}

/** A secret shown once, with a copy button. */
function OnceValue({ label, value }: { label: string; value: string }) {
  return (
    <div className="console-once" role="status">
      <p>{label} — shown once, copy it now:</p>
      <code data-testid="once-value">{value}</code>
      <button className="button subtle" type="button" onClick={() => void navigator.clipboard?.writeText(value)}>
        Copy
      </button>
    </div>
  );
}

function AppSecret({ pageId, role }: { pageId: string; role: OrgRole }) {
  const [password, setPassword] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = (fn: typeof consoleApi.revealSecret) => {
    setError(null);
    fn(pageId, password)
      .then((s) => setSecret(s.app_secret))
      .catch((err: unknown) =>
        setError(
          describeError(err, {
            INVALID_CREDENTIALS: 'That password is not right.',
            FORBIDDEN: 'Your role cannot see or change the app secret.',
          }),
        ),
      )
      .finally(() => setPassword(''));
  };
  return (
    <div className="console-secret">
      <h2>App secret</h2>
      {secret !== null ? (
        <OnceValue label="App secret" value={secret} />
      ) : (
        <form onSubmit={(e) => (e.preventDefault(), act(consoleApi.revealSecret))}>
          <label htmlFor="secret-password">Your password (required to reveal or rotate)</label>
          <input
            id="secret-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <div className="console-actions">
            <button className="button" type="submit" disabled={password === ''}>
              Reveal
            </button>
            <button
              className="button danger"
              type="button"
              disabled={password === '' || !canIntegrate(role)}
              onClick={() => {
                if (confirm('Rotate the app secret? The old one stops working at once.')) act(consoleApi.rotateSecret);
              }}
            >
              Rotate
            </button>
          </div>
        </form>
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

const when = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toLocaleString());

function Tokens({ pageId, role }: { pageId: string; role: OrgRole }) {
  const [tokens, setTokens] = useState<ConsoleToken[]>([]);
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => consoleApi.tokens(pageId).then((t) => setTokens(t.data)), [pageId]);
  useEffect(() => void reload(), [reload]);
  const fail = (err: unknown) => setError(describeError(err));
  return (
    <section className="console-card">
      <h2>Page access tokens</h2>
      {created !== null && <OnceValue label="New token" value={created} />}
      <table className="console-table">
        <thead>
          <tr>
            <th>Label</th>
            <th>Created</th>
            <th>Last used</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.label ?? '—'}</td>
              <td>{when(t.created_at)}</td>
              <td>{when(t.last_used_at)}</td>
              <td>{t.revoked_at === null ? 'active' : `revoked ${when(t.revoked_at)}`}</td>
              <td>
                {t.revoked_at === null && canIntegrate(role) && (
                  <button
                    className="button subtle"
                    type="button"
                    onClick={() => void consoleApi.revokeToken(pageId, t.id).then(reload, fail)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canIntegrate(role) && (
        <form
          className="console-inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (label.trim() === '') return setError('Give the token a label.');
            setError(null);
            consoleApi.createToken(pageId, label.trim()).then((t) => {
              setCreated(t.page_access_token);
              setLabel('');
              return reload();
            }, fail);
          }}
        >
          <label htmlFor="token-label">Label</label>
          <input id="token-label" value={label} maxLength={100} onChange={(e) => setLabel(e.target.value)} />
          <button className="button" type="submit">
            Create token
          </button>
        </form>
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
