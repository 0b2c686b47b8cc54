/** The mobile "back to the list" button (hidden on the two-pane layout). */
import { navigate } from '../lib/router';
import { Icon } from './icon';

export function BackButton({ to, label = 'Back to conversations' }: { to: string; label?: string }) {
  return (
    <a
      className="icon-button back-button"
      href={to}
      aria-label={label}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      <Icon name="back" />
    </a>
  );
}
