/** Says that the messenger shows its last saved state because the hub cannot be reached. */
import { useOffline } from '../../lib/offline';

export function OfflineBanner() {
  if (!useOffline()) return null;
  return (
    <div className="offline-banner" role="status">
      You are offline. Confide shows what it last saw; new messages arrive when you are back online.
    </div>
  );
}
