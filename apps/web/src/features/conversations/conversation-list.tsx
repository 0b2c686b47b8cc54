/** The customer's conversations, newest activity first, with unread badges; arrow keys move between them. */
import type { KeyboardEvent } from 'react';
import { ConversationRow } from '../../components/conversation-row';
import { Icon } from '../../components/icon';
import { DIRECTORY_PATH, navigate, threadPath } from '../../lib/router';
import { shortStamp } from '../../lib/time';
import { useMessenger } from './messenger';
import { sortedConversations } from './messenger-state';
import { messagePreview } from './preview';

export function ConversationList({ activeId }: { activeId: string | null }) {
  const loaded = useMessenger((s) => s.conversationsLoaded);
  const conversations = useMessenger((s) => s.conversations);
  const typing = useMessenger((s) => s.typing);
  const list = sortedConversations(conversations);

  if (!loaded) return <p className="list-empty muted">Loading conversations…</p>;
  if (list.length === 0)
    return (
      <div className="list-empty">
        <Icon name="chat" size={40} />
        <p>No conversations yet.</p>
        <button type="button" className="button primary" onClick={() => navigate(DIRECTORY_PATH)}>
          Find a business
        </button>
      </div>
    );

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const links = [...event.currentTarget.querySelectorAll<HTMLAnchorElement>('a.conversation')];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = links[Math.max(0, Math.min(links.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (next !== undefined) {
      event.preventDefault();
      next.focus();
    }
  };

  return (
    <ul className="conversation-list" aria-label="Conversations" onKeyDown={onKeyDown}>
      {list.map((c) => {
        const last = c.last_message;
        const preview =
          typing[c.id] === true
            ? 'typing…'
            : last === null
              ? c.page.description
              : `${last.direction === 'in' ? 'You: ' : ''}${messagePreview(last)}`;
        const unread = c.unread_count > 0;
        return (
          <ConversationRow
            key={c.id}
            href={threadPath(c.id)}
            active={c.id === activeId}
            highlighted={unread}
            who={c.page}
            stamp={
              <time className="conversation-time" dateTime={new Date(last?.created_at ?? c.created_at).toISOString()}>
                {shortStamp(last?.created_at ?? c.created_at)}
              </time>
            }
            preview={preview}
            typing={typing[c.id] === true}
            badge={
              <>
                {(c.awaiting_answers ?? 0) > 0 && (
                  <span className="action-needed" title="A security check waits for your answer">
                    <Icon name="alert" size={14} />
                    Action needed
                  </span>
                )}
                {unread && (
                  <span className="badge" aria-label={`${c.unread_count} unread`}>
                    {c.unread_count > 99 ? '99+' : c.unread_count}
                  </span>
                )}
              </>
            }
          />
        );
      })}
    </ul>
  );
}
