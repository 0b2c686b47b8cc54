/** The list pane: header actions (new chat, privacy, notifications, log out) and the conversations. */
import { useState } from 'react';
import { Icon } from '../../components/icon';
import { DIRECTORY_PATH, navigate } from '../../lib/router';
import { logOut, useSession } from '../auth/session';
import { toggleNotifications, useNotifyState, type NotifyState } from '../notifications/notify';
import { toast } from '../../components/toasts';
import { InstallButton } from '../pwa/install-button';
import { SearchPanel } from '../search/search-panel';
import { ConversationList } from './conversation-list';

export function Sidebar({ activeId }: { activeId: string | null }) {
  const customer = useSession();
  const notify = useNotifyState();
  const [searching, setSearching] = useState(false);

  const onNotifyButton = async () => {
    if (notify === 'blocked') return toast(NOTIFY_TOASTS.blocked, 'info');
    toast(NOTIFY_TOASTS[await toggleNotifications()], 'info');
  };

  return (
    <nav className="sidebar" aria-label="Conversations">
      <header className="pane-header">
        <div className="pane-title">
          <h1>Chats</h1>
          {customer != null && <span className="muted small">@{customer.username}</span>}
        </div>
        <div className="header-actions">
          <InstallButton />
          {notify !== 'unsupported' && (
            <button
              type="button"
              className={`icon-button notify-${notify}`}
              onClick={() => void onNotifyButton()}
              aria-label={NOTIFY_LABELS[notify]}
              title={NOTIFY_LABELS[notify]}
            >
              <Icon name={notify === 'on' ? 'bell' : 'bellOff'} />
            </button>
          )}
          <a
            className="icon-button"
            href="/privacy"
            aria-label="Privacy center"
            title="Privacy center"
            onClick={(e) => {
              e.preventDefault();
              navigate('/privacy');
            }}
          >
            <Icon name="shield" />
          </a>
          <button
            type="button"
            className="icon-button"
            onClick={() => void logOut()}
            aria-label="Log out"
            title="Log out"
          >
            <Icon name="logout" />
          </button>
        </div>
      </header>
      <div className="sidebar-search">
        <button type="button" className="search-launch" onClick={() => navigate(DIRECTORY_PATH)}>
          <Icon name="plus" />
          <span>Find a bank or business</span>
        </button>
        <SearchPanel onQuery={(q) => setSearching(q !== '')} />
      </div>
      {!searching && <ConversationList activeId={activeId} />}
    </nav>
  );
}

const NOTIFY_LABELS: Record<Exclude<NotifyState, 'unsupported'>, string> = {
  ask: 'Turn on notifications',
  on: 'Turn off notifications on this device',
  off: 'Turn on notifications on this device',
  blocked: 'Notifications are blocked',
};

const NOTIFY_TOASTS: Record<NotifyState, string> = {
  ask: 'Notifications stay off.',
  on: 'Notifications are on for new messages while Confide is in the background.',
  off: 'Notifications are off on this device.',
  blocked: 'Notifications are blocked for this site in your browser settings. Allow them there to turn them on.',
  unsupported: 'This browser cannot show notifications.',
};
