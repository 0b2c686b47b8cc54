/** The queue pane: conversations handed to the inbox, longest waiting first, with live waiting times. */
import type { AgentStatus, InboxAgent, InboxMessage } from '@confide/protocol';
import { useState } from 'react';
import { ConversationRow } from '../../components/conversation-row';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { inboxApi } from './inbox-api';
import { Icon } from '../../components/icon';
import { CLOSED_PATH, SUPERVISION_PATH, inboxConversationPath } from './inbox-route';
import { logOutAgent, refreshQueue, useInbox } from './inbox-state';
import { bodyText } from './message-text';
import { useNow } from './waiting';
import { InboxLink, QueueStamp } from './sla-badge';

/** A message in one line: a page message names its sender; a system line ("Ada joined") is nobody's. */
function previewOf(message: InboxMessage): string {
  const from = message.direction === 'out' && message.system !== true ? `${message.persona?.name ?? 'Bot'}: ` : '';
  return `${from}${bodyText(message.body)}`;
}

/** The agent's status: online agents get conversations of their team assigned. */
function StatusSelect({ agent }: { agent: InboxAgent }) {
  const [status, setStatus] = useState<AgentStatus>(agent.status);
  const change = async (next: AgentStatus) => {
    const before = status;
    setStatus(next);
    try {
      await inboxApi.setStatus(next);
      void refreshQueue();
    } catch (err) {
      setStatus(before);
      toast(describeError(err), 'error');
    }
  };
  return (
    <label className="agent-status small">
      <span className="visually-hidden">Your status</span>
      <select aria-label="Your status" value={status} onChange={(e) => void change(e.target.value as AgentStatus)}>
        <option value="online">Online</option>
        <option value="away">Away</option>
        <option value="offline">Offline</option>
      </select>
    </label>
  );
}

export function QueueSidebar({ activeId }: { activeId: string | null }) {
  const agent = useInbox((s) => s.agent);
  const queue = useInbox((s) => s.queue);
  const offset = useInbox((s) => s.clockOffset);
  const now = useNow() + offset;

  return (
    <nav className="sidebar" aria-label="Queue">
      <header className="pane-header">
        <div className="pane-title queue-title">
          <h1>Queue</h1>
          {agent != null && (
            <span className="muted small queue-identity">
              {agent.display_name}
              {agent.team === null ? '' : ` · ${agent.team.name} team`} · {agent.page.name}
            </span>
          )}
          {agent != null && <StatusSelect agent={agent} />}
          {agent?.role === 'supervisor' && <InboxLink path={SUPERVISION_PATH}>Supervision</InboxLink>}
        </div>
        <div className="header-actions">
          <InboxLink path={CLOSED_PATH}>Closed</InboxLink>
          <button
            type="button"
            className="icon-button"
            onClick={() => void logOutAgent()}
            aria-label="Log out"
            title="Log out"
          >
            <Icon name="logout" />
          </button>
        </div>
      </header>
      {queue === undefined ? (
        <p className="list-empty muted">Loading the queue…</p>
      ) : queue.length === 0 ? (
        <div className="list-empty">
          <Icon name="check" size={40} />
          <p>Nobody is waiting. New hand-overs appear here.</p>
        </div>
      ) : (
        <ul className="conversation-list" aria-label={`Waiting conversations (${queue.length})`} aria-live="polite">
          {queue.map((item) => {
            const mine = item.assigned_agent !== null && item.assigned_agent.id === agent?.id;
            const last = item.last_message;
            return (
              <ConversationRow
                key={item.conversation_id}
                href={inboxConversationPath(item.conversation_id)}
                active={item.conversation_id === activeId}
                highlighted={item.assigned_agent === null}
                who={{ id: item.customer.psid, name: item.customer.first_name }}
                stamp={<QueueStamp item={item} now={now} />}
                preview={`${item.team === null ? '' : `${item.team.name} · `}${last === null ? '' : previewOf(last)}`}
                badge={
                  <span className={`assignee${mine ? ' mine' : ''}`}>
                    {item.status === 'snoozed'
                      ? 'Snoozed'
                      : item.assigned_agent === null
                        ? 'New'
                        : mine
                          ? 'You'
                          : item.assigned_agent.display_name}
                  </span>
                }
              />
            );
          })}
        </ul>
      )}
    </nav>
  );
}
