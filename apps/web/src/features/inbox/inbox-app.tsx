/**
 * The agent inbox at `/inbox`: agent login, then the queue beside the open conversation
 * (one pane at a time on phones), live over `/inbox/api/stream`.
 */
import { useEffect } from 'react';
import { Icon } from '../../components/icon';
import { Toasts } from '../../components/toasts';
import { usePathname } from '../../lib/router';
import { AgentLogin } from './agent-login';
import { ConversationPane } from './conversation-pane';
import { parseInboxRoute } from './inbox-route';
import { checkAgent, startInbox, useInbox } from './inbox-state';
import { QueueSidebar } from './queue-list';
import './inbox.css';

export default function InboxApp() {
  const agent = useInbox((s) => s.agent);
  useEffect(() => {
    document.title = 'Confide Inbox';
    void checkAgent();
  }, []);
  return (
    <>
      {agent === undefined ? <div className="splash" aria-busy="true" /> : agent === null ? <AgentLogin /> : <AgentInbox key={agent.id} />}
      <Toasts />
    </>
  );
}

function AgentInbox() {
  useEffect(() => startInbox(), []);
  const route = parseInboxRoute(usePathname());
  const live = useInbox((s) => s.live);
  const activeId = route.name === 'conversation' ? route.conversationId : null;
  return (
    <div className="app agent-inbox" data-view={route.name === 'queue' ? 'list' : 'detail'}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {live === 'reconnecting' && (
        <div className="connection-banner" role="status">
          <span className="spinner small" aria-hidden="true" /> Reconnecting…
        </div>
      )}
      <QueueSidebar activeId={activeId} />
      <main id="main" className="main">
        {activeId !== null ? (
          <ConversationPane key={activeId} conversationId={activeId} />
        ) : (
          <div className="main-empty">
            <Icon name="chat" size={48} />
            <p>Choose a conversation from the queue.</p>
          </div>
        )}
      </main>
    </div>
  );
}
