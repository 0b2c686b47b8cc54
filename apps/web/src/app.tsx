/** The app shell: session gate, then the two-pane messenger (one pane at a time on phones). */
import { useEffect } from 'react';
import { Icon } from './components/icon';
import { Toasts } from './components/toasts';
import { AuthScreen } from './features/auth/auth-screen';
import { checkSession, useSession } from './features/auth/session';
import { startMessenger, useMessenger } from './features/conversations/messenger';
import { Sidebar } from './features/conversations/sidebar';
import { Directory } from './features/directory/directory';
import { consumeLinkReturn } from './features/privacy/link-return';
import { PrivacyCenter } from './features/privacy/privacy-center';
import { ThreadView } from './features/thread/thread-view';
import { parseRoute, usePathname } from './lib/router';

export function App() {
  const session = useSession();
  useEffect(() => void checkSession(), []);
  return (
    <>
      {session === undefined ? <div className="splash" aria-busy="true" /> : session === null ? <AuthScreen /> : <Messenger key={session.id} />}
      <Toasts />
    </>
  );
}

function Messenger() {
  useEffect(() => startMessenger(), []);
  useEffect(() => consumeLinkReturn(), []);
  const route = parseRoute(usePathname());
  const status = useMessenger((s) => s.status);
  const activeId = route.name === 'thread' ? route.conversationId : null;

  return (
    <div className="app" data-view={route.name === 'inbox' ? 'list' : 'detail'} data-stream={status}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {status === 'reconnecting' && (
        <div className="connection-banner" role="status">
          <span className="spinner small" aria-hidden="true" /> Reconnecting…
        </div>
      )}
      <Sidebar activeId={activeId} />
      <main id="main" className="main">
        {route.name === 'thread' && <ThreadView key={route.conversationId} conversationId={route.conversationId} />}
        {route.name === 'directory' && <Directory />}
        {route.name === 'privacy' && <PrivacyCenter />}
        {route.name === 'inbox' && (
          <div className="main-empty">
            <Icon name="chat" size={48} />
            <p>Choose a conversation, or find a business to start one.</p>
          </div>
        )}
      </main>
    </div>
  );
}
