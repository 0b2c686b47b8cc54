/** The app shell: session gate, then the two-pane messenger (one pane at a time on phones). */
import { useEffect } from 'react';
import { MainEmpty, SessionGate, TwoPaneLayout } from './components/app-shell';
import { AuthScreen } from './features/auth/auth-screen';
import { checkSession, useSession } from './features/auth/session';
import { startMessenger, useMessenger } from './features/conversations/messenger';
import { unreadConversations } from './features/conversations/messenger-state';
import { Sidebar } from './features/conversations/sidebar';
import { Directory } from './features/directory/directory';
import { syncPush } from './features/notifications/notify';
import { consumeLinkReturn } from './features/privacy/link-return';
import { PrivacyCenter } from './features/privacy/privacy-center';
import { OfflineBanner } from './features/pwa/offline-banner';
import { ThreadView } from './features/thread/thread-view';
import { parseRoute, usePathname } from './lib/router';

export function App() {
  const session = useSession();
  useEffect(() => void checkSession(), []);
  return (
    <SessionGate session={session} signIn={<AuthScreen />}>
      <Messenger />
    </SessionGate>
  );
}

function Messenger() {
  useEffect(() => startMessenger(), []);
  useEffect(() => consumeLinkReturn(), []);
  useEffect(() => void syncPush(), []);
  const route = parseRoute(usePathname());
  const status = useMessenger((s) => s.status);
  useUnreadTitle(useMessenger(unreadConversations));
  const activeId = route.name === 'thread' ? route.conversationId : null;

  return (
    <TwoPaneLayout
      view={route.name === 'inbox' ? 'list' : 'detail'}
      stream={status}
      sidebar={<Sidebar activeId={activeId} />}
    >
      <OfflineBanner />
      {route.name === 'thread' && <ThreadView key={route.conversationId} conversationId={route.conversationId} />}
      {route.name === 'directory' && <Directory />}
      {route.name === 'privacy' && <PrivacyCenter />}
      {route.name === 'inbox' && <MainEmpty>Choose a conversation, or find a business to start one.</MainEmpty>}
    </TwoPaneLayout>
  );
}

/** The tab title counts the conversations with unread messages, as Messenger's does: "(2) Confide". */
function useUnreadTitle(unread: number): void {
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Confide` : 'Confide';
    return () => void (document.title = 'Confide');
  }, [unread]);
}
