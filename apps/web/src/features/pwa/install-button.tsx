/** The menu's "Install app" button, shown only while the browser offers to install Confide. */
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { installApp, useCanInstall } from './pwa';

export function InstallButton() {
  if (!useCanInstall()) return null;
  const onClick = async () => {
    if (await installApp()) toast('Confide is installed. Open it from your home screen or app list.', 'info');
  };
  return (
    <button
      type="button"
      className="icon-button"
      onClick={() => void onClick()}
      aria-label="Install app"
      title="Install app"
    >
      <Icon name="download" />
    </button>
  );
}
