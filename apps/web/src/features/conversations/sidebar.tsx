/** The list pane: header actions (new chat, privacy, notifications, log out) and the conversations. */
import { Icon } from '../../components/icon';
import { DIRECTORY_PATH, navigate } from '../../lib/router';
import { logOut, useSession } from '../auth/session';
import { requestNotifyPermission, useNotifyPermission } from '../notifications/notify';
import { toast } from '../../components/toasts';
import { ConversationList } from './conversation-list';

export function Sidebar({ activeId }: { activeId: string | null }) {
  const customer = useSession();
  const permission = useNotifyPermission();

  const enableNotifications = async () => {
    const result = await requestNotifyPermission();
    toast(result === 'granted' ? 'Notifications are on for new messages while Confide is in the background.' : 'Notifications stay off.', 'info');
  };

  return (
    <nav className="sidebar" aria-label="Conversations">
      <header className="pane-header">
        <div className="pane-title">
          <h1>Chats</h1>
          {customer != null && <span className="muted small">@{customer.username}</span>}
        </div>
        <div className="header-actions">
          {permission === 'default' && (
            <button
              type="button"
              className="icon-button"
              onClick={() => void enableNotifications()}
              aria-label="Turn on notifications"
              title="Turn on notifications"
            >
              <Icon name="bell" />
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
          <button type="button" className="icon-button" onClick={() => void logOut()} aria-label="Log out" title="Log out">
            <Icon name="logout" />
          </button>
        </div>
      </header>
      <div className="sidebar-search">
        <button type="button" className="search-launch" onClick={() => navigate(DIRECTORY_PATH)}>
          <Icon name="search" />
          <span>Find a bank or business</span>
        </button>
      </div>
      <ConversationList activeId={activeId} />
    </nav>
  );
}
