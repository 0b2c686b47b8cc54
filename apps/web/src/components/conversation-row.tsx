/**
 * One row of a conversation list (the customer's chats, the agents' queue): avatar, name,
 * a stamp at the top right, a preview line and an optional badge. The row is a link that
 * navigates in the app, unless a modifier key asks the browser for a new tab or window.
 */
import type { ReactNode } from 'react';
import { navigate } from '../lib/router';
import { Avatar } from './avatar';

interface Props {
  href: string;
  active: boolean;
  /** Shown in bold: unread messages, or a hand-over nobody has taken. */
  highlighted: boolean;
  /** Who the conversation is with: the avatar's colour comes from `id`. */
  who: { id: string; name: string; picture_url?: string | undefined };
  /** Top right: when, or how long. */
  stamp: ReactNode;
  preview: ReactNode;
  /** Set while the other side is typing (the preview says so). */
  typing?: boolean;
  /** Bottom right, after the preview. */
  badge?: ReactNode;
}

export function ConversationRow({ href, active, highlighted, who, stamp, preview, typing = false, badge }: Props) {
  return (
    <li>
      <a
        className={`conversation${active ? ' active' : ''}${highlighted ? ' unread' : ''}`}
        href={href}
        aria-current={active ? 'page' : undefined}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          navigate(href);
        }}
      >
        <Avatar id={who.id} name={who.name} picture_url={who.picture_url} />
        <span className="conversation-main">
          <span className="conversation-top">
            <span className="conversation-name">{who.name}</span>
            {stamp}
          </span>
          <span className="conversation-bottom">
            <span className={`conversation-preview${typing ? ' typing' : ''}`}>{preview}</span>
            {badge}
          </span>
        </span>
      </a>
    </li>
  );
}
