/**
 * The privacy center's "Notifications on your devices": which devices get pushes (each
 * removable), and for each business, which of the updates you allowed are pushed. Push is
 * only a way to deliver what you already allowed: a category you did not allow has no switch.
 */
import { useCallback, useEffect, useState } from 'react';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { fullDate } from '../../lib/time';
import type { PrivacyBusiness } from '../privacy/privacy-api';
import { removeDevice, pushInfo, setCategoryPush, type PushInfo } from './push-api';
import { thisDeviceId } from './push';

export function PushSettings({ businesses }: { businesses: PrivacyBusiness[] }) {
  const [info, setInfo] = useState<PushInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(async () => setInfo(await pushInfo().catch(() => null)), []);
  useEffect(() => void refresh(), [refresh]);
  if (info === null) return null;

  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await action();
      toast(done, 'success');
      await refresh();
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  const pushed = (pageId: string, category: string) =>
    !info.muted.some((m) => m.page_id === pageId && m.category === category);
  const granted = businesses.filter((b) => b.consent.status === 'active' && b.consent.categories.length > 0);
  const here = thisDeviceId();

  return (
    <section className="privacy-card push-settings" aria-labelledby="push-title">
      <h3 id="push-title">Notifications on your devices</h3>
      {!info.enabled ? (
        <p className="muted small">This hub does not send push notifications.</p>
      ) : info.devices.length === 0 ? (
        <p className="muted small">
          No device gets push notifications. Turn notifications on with the bell in your chat list.
        </p>
      ) : (
        <ul className="push-devices" aria-label="Devices with push notifications">
          {info.devices.map((d) => (
            <li key={d.id}>
              <span>
                {d.device}
                {d.id === here && <span className="muted small"> (this device)</span>}
                <span className="muted small"> · added {fullDate(d.created_at)}</span>
              </span>
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void run(() => removeDevice(d.id), `${d.device} no longer gets notifications.`)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {info.enabled &&
        granted.map((b) => (
          <fieldset key={b.page.id} className="consent-fields" disabled={busy}>
            <legend>Push from {b.page.name}</legend>
            {b.consent.categories.map((category) => (
              <label key={category} className="toggle-row">
                <input
                  type="checkbox"
                  role="switch"
                  checked={pushed(b.page.id, category)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    void run(
                      () => setCategoryPush(b.page.id, category, on),
                      on ? 'Pushed to your devices.' : 'Only in the app from now on.',
                    );
                  }}
                />
                <span className="toggle-text">
                  <span className="toggle-title">{humanize(category)}</span>
                </span>
              </label>
            ))}
          </fieldset>
        ))}
    </section>
  );
}

const humanize = (category: string) => category.replace(/[_.-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
