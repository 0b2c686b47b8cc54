/**
 * The business console at `/console`: members of an organisation sign in (or join with an
 * invite code from `#invite=…`), then manage their pages' credentials and webhooks, and
 * owners invite members.
 */
import type { ConsolePage, ConsoleSession } from '@confide/protocol';
import { useCallback, useEffect, useState } from 'react';
import { AuthCard } from '../../components/auth-card';
import { CredentialsForm, useCredentialsForm } from '../../components/credentials-form';
import { SsoButton } from '../../components/sso-button';
import { describeError } from '../../lib/api';
import { canIntegrate, consoleApi } from './console-api';
import { inviteCodeFromHash } from './console-route';
import { ApiExplorer } from './api-explorer';
import { MembersView } from './members-view';
import { PageView } from './page-view';
import './console.css';

export default function ConsoleApp() {
  const [session, setSession] = useState<ConsoleSession | null | undefined>(undefined);
  const [invite, setInvite] = useState(() => inviteCodeFromHash(location.hash));
  useEffect(() => {
    document.title = 'Confide Console';
    consoleApi.me().then(setSession, () => setSession(null));
  }, []);
  const joined = (s: ConsoleSession) => {
    history.replaceState(null, '', '/console');
    setInvite(null);
    setSession(s);
  };
  if (session === undefined) return <div className="splash" aria-busy="true" />;
  if (session === null)
    return invite !== null ? <AcceptInvite code={invite} onJoined={joined} /> : <SignIn onSignedIn={setSession} />;
  return <Console session={session} onSignedOut={() => setSession(null)} />;
}

function SignIn({ onSignedIn }: { onSignedIn: (s: ConsoleSession) => void }) {
  const form = useCredentialsForm({ send: async (body) => onSignedIn(await consoleApi.logIn(body)) });
  return (
    <AuthCard product="Confide Console" title="Sign in" lead="Integrate and operate your organisation's pages.">
      <CredentialsForm form={form} submitLabel="Sign in" />
      <SsoButton base="/console/api/sso" />
    </AuthCard>
  );
}

function AcceptInvite({ code, onJoined }: { code: string; onJoined: (s: ConsoleSession) => void }) {
  const form = useCredentialsForm({ send: async (body) => onJoined(await consoleApi.acceptInvite({ code, ...body })) });
  return (
    <AuthCard
      product="Confide Console"
      title="Join your organisation"
      lead="Choose the username and password you will sign in with."
    >
      <CredentialsForm form={form} submitLabel="Join" newPassword={{ minLength: 8, hint: 'At least 8 characters.' }} />
    </AuthCard>
  );
}

type View = { name: 'page'; id: string } | { name: 'members' } | { name: 'new-page' } | { name: 'explorer' };

function Console({ session, onSignedOut }: { session: ConsoleSession; onSignedOut: () => void }) {
  const [pages, setPages] = useState<ConsolePage[]>([]);
  const [view, setView] = useState<View>({ name: 'members' });
  /** A new page's first token, shown once on its page. */
  const [firstToken, setFirstToken] = useState<{ pageId: string; token: string } | null>(null);
  const reload = useCallback(async () => {
    const list = (await consoleApi.pages()).data;
    setPages(list);
    return list;
  }, []);
  useEffect(() => {
    void reload().then((list) => {
      if (list[0] !== undefined) setView({ name: 'page', id: list[0].id });
    });
  }, [reload]);
  const role = session.member.role;
  return (
    <div className="console">
      <header className="console-header">
        <strong>Confide Console</strong>
        <span className="muted">{session.organisation.name}</span>
        <span className="console-whoami">
          {session.member.username} · {role}
        </span>
        <button className="button subtle" type="button" onClick={() => void consoleApi.logOut().finally(onSignedOut)}>
          Sign out
        </button>
      </header>
      <div className="console-body">
        <nav className="console-nav" aria-label="Console">
          <h2>Pages</h2>
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  aria-current={view.name === 'page' && view.id === p.id ? 'page' : undefined}
                  onClick={() => setView({ name: 'page', id: p.id })}
                >
                  {p.name}
                </button>
              </li>
            ))}
          </ul>
          {canIntegrate(role) && (
            <button type="button" className="button block" onClick={() => setView({ name: 'new-page' })}>
              New page
            </button>
          )}
          <button
            type="button"
            className="button subtle block"
            aria-current={view.name === 'members' ? 'page' : undefined}
            onClick={() => setView({ name: 'members' })}
          >
            Members
          </button>
          <button
            type="button"
            className="button subtle block"
            aria-current={view.name === 'explorer' ? 'page' : undefined}
            onClick={() => setView({ name: 'explorer' })}
          >
            API explorer
          </button>
        </nav>
        <main className="console-main">
          {view.name === 'members' && <MembersView session={session} />}
          {view.name === 'explorer' && <ApiExplorer />}
          {view.name === 'new-page' && (
            <NewPage
              onCreated={async (id, token) => {
                await reload();
                setView({ name: 'page', id });
                setFirstToken({ pageId: id, token });
              }}
            />
          )}
          {view.name === 'page' && (
            <PageView
              key={view.id}
              pageId={view.id}
              role={role}
              firstToken={firstToken?.pageId === view.id ? firstToken.token : null}
            />
          )}
        </main>
      </div>
    </div>
  );
}

function NewPage({ onCreated }: { onCreated: (id: string, token: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [category, setCategory] = useState<'bank' | 'merchant'>('bank');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="console-card">
      <h1>New page</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() === '') return setError('Enter the page name.');
          setBusy(true);
          setError(null);
          consoleApi
            .createPage(name.trim(), category)
            .then((p) => onCreated(p.id, p.page_access_token))
            .catch((err: unknown) => setError(describeError(err)))
            .finally(() => setBusy(false));
        }}
      >
        <label htmlFor="page-name">Name</label>
        <input id="page-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        <label htmlFor="page-category">Category</label>
        <select
          id="page-category"
          value={category}
          onChange={(e) => setCategory(e.target.value as 'bank' | 'merchant')}
        >
          <option value="bank">Bank</option>
          <option value="merchant">Merchant</option>
        </select>
        {error !== null && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy}>
          Create page
        </button>
      </form>
    </section>
  );
}
