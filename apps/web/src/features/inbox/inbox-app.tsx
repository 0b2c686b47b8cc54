/**
 * The agent inbox at `/inbox`: agent login, then the queue beside the open conversation
 * (one pane at a time on phones), live over `/inbox/api/stream`.
 */
import { lazy, Suspense, useEffect } from 'react';
import { MainEmpty, SessionGate, TwoPaneLayout } from '../../components/app-shell';
import { usePathname } from '../../lib/router';
import { AgentLogin } from './agent-login';
import { ClosedView } from './closed-view';
import { ConversationPane } from './conversation-pane';
import { parseInboxRoute } from './inbox-route';
import { checkAgent, startInbox, useInbox } from './inbox-state';
import { QueueSidebar } from './queue-list';
import './inbox.css';

// Supervisors only: loaded when first opened.
const SupervisorView = lazy(() => import('./supervisor-view'));

export default function InboxApp() {
  const agent = useInbox((s) => s.agent);
  useEffect(() => {
    document.title = 'Confide Inbox';
    void checkAgent();
  }, []);
  return (
    <SessionGate session={agent} signIn={<AgentLogin />}>
      <AgentInbox />
    </SessionGate>
  );
}

function AgentInbox() {
  useEffect(() => startInbox(), []);
  const route = parseInboxRoute(usePathname());
  const live = useInbox((s) => s.live);
  const activeId = route.name === 'conversation' ? route.conversationId : null;
  return (
    <TwoPaneLayout
      className="agent-inbox"
      view={route.name === 'queue' ? 'list' : 'detail'}
      stream={live}
      sidebar={<QueueSidebar activeId={activeId} />}
    >
      {activeId !== null ? (
        <ConversationPane key={activeId} conversationId={activeId} />
      ) : route.name === 'closed' ? (
        <ClosedView />
      ) : route.name === 'supervision' ? (
        <Suspense fallback={<MainEmpty>Loading…</MainEmpty>}>
          <SupervisorView />
        </Suspense>
      ) : (
        <MainEmpty>Choose a conversation from the queue.</MainEmpty>
      )}
    </TwoPaneLayout>
  );
}
