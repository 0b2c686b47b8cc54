/** The privacy center: every business the customer talks to, what it may send them, and for how long. */
import { useCallback, useEffect, useState } from 'react';
import { BackButton } from '../../components/back-button';
import { Icon } from '../../components/icon';
import { Spinner } from '../../components/spinner';
import { describeError, isApiError } from '../../lib/api';
import { BusinessPrivacy } from './business-privacy';
import { listBusinesses, listProfileSharing, type PrivacyBusiness, type ProfileShareField } from './privacy-api';
import { ProfileSharingFields, YourProfile } from './profile-sharing';
import { YourAssistants } from './your-assistants';
import { YourData } from './your-data';
import { PushSettings } from '../notifications/push-settings';
import { PhoneSettings } from '../notifications/phone-settings';

const NOTHING: ProfileShareField[] = [];

type Load =
  | { state: 'loading' }
  | { state: 'ready'; businesses: PrivacyBusiness[] }
  | { state: 'unavailable' }
  | { state: 'error'; message: string };

export function PrivacyCenter() {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  /** What each business may read of the customer's profile; empty on a hub without profile sharing. */
  const [sharing, setSharing] = useState<Map<string, ProfileShareField[]>>(new Map());

  const refresh = useCallback(async () => {
    try {
      const { data } = await listBusinesses();
      setLoad({ state: 'ready', businesses: data });
      const shared = await listProfileSharing().catch(() => ({ data: [] }));
      setSharing(new Map(shared.data.map((s) => [s.page_id, s.fields])));
    } catch (err) {
      // A hub without the privacy API yet answers 404: that is an empty state, not a failure.
      if (isApiError(err) && (err.status === 404 || err.status === 501)) setLoad({ state: 'unavailable' });
      else setLoad({ state: 'error', message: describeError(err) });
    }
  }, []);

  useEffect(() => void refresh(), [refresh]);

  return (
    <section className="pane privacy" aria-labelledby="privacy-title">
      <header className="pane-header">
        <BackButton to="/" />
        <h2 id="privacy-title">Privacy center</h2>
      </header>
      <div className="pane-body">
        <p className="privacy-intro">
          <Icon name="shield" size={18} /> Businesses may only send you the updates you allow, for as long as you allow
          them. Each change is recorded and you get a signed receipt.
        </p>
        {load.state === 'loading' && <Spinner label="Loading your privacy settings" />}
        {load.state === 'unavailable' && (
          <div className="empty-state">
            <p>Privacy controls are not available on this hub yet.</p>
            <p className="muted small">Nothing is shared with businesses beyond your conversations with them.</p>
          </div>
        )}
        {load.state === 'error' && (
          <div className="empty-state" role="alert">
            <p>{load.message}</p>
            <button type="button" className="button" onClick={() => void refresh()}>
              Try again
            </button>
          </div>
        )}
        {load.state === 'ready' && load.businesses.length === 0 && (
          <div className="empty-state">
            <p>No business has asked for your data.</p>
            <p className="muted small">When you link an account or grant access, it appears here.</p>
          </div>
        )}
        {load.state === 'ready' && <YourProfile />}
        {load.state === 'ready' && (
          <ul className="privacy-list">
            {load.businesses.map((b) => (
              <li key={b.page.id}>
                <BusinessPrivacy business={b} onChanged={refresh} />
                {b.conversation_id !== null && (
                  <ProfileSharingFields
                    pageId={b.page.id}
                    pageName={b.page.name}
                    shared={sharing.get(b.page.id) ?? NOTHING}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
        {load.state === 'ready' && <PushSettings businesses={load.businesses} />}
        {load.state === 'ready' && <PhoneSettings />}
        {load.state === 'ready' && <YourAssistants />}
        {load.state !== 'loading' && <YourData />}
      </div>
    </section>
  );
}
