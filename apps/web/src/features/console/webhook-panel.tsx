/**
 * A page's webhook: callback URL and verify token (saved only after the live handshake,
 * whose outcome is shown), fields, a test event, the delivery log with retries, and
 * redelivery; the failure alert and the disable show as they happen (polled).
 */
import type { ConsoleDeliveryAttempt, ConsoleWebhook, OrgRole } from '@confide/protocol';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { canIntegrate, consoleApi } from './console-api';

const POLL_MS = 2_000;

export function WebhookPanel({ pageId, role }: { pageId: string; role: OrgRole }) {
  const [hook, setHook] = useState<ConsoleWebhook | null>(null);
  const [log, setLog] = useState<ConsoleDeliveryAttempt[]>([]);
  const [url, setUrl] = useState('');
  const [verifyToken, setVerifyToken] = useState('');
  const [fields, setFields] = useState<string[]>([]);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const manage = canIntegrate(role);

  const refresh = useCallback(async () => {
    const [h, d] = await Promise.all([consoleApi.webhook(pageId), consoleApi.deliveries(pageId)]);
    setHook(h);
    setLog(d.data);
    return h;
  }, [pageId]);
  useEffect(() => {
    void refresh().then((h) => {
      setUrl(h.callback_url ?? '');
      setFields(h.fields);
    });
    const timer = setInterval(() => void refresh().catch(() => undefined), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const run = (fn: () => Promise<string>) => {
    setBusy(true);
    setOutcome(null);
    fn()
      .then((text) => setOutcome({ ok: true, text }))
      .catch((err: unknown) =>
        setOutcome({ ok: false, text: describeError(err, { INVALID_PARAMETER: (err as Error).message }) }),
      )
      .finally(() => {
        setBusy(false);
        void refresh();
      });
  };

  if (hook === null) return <section className="console-card" aria-busy="true" />;
  return (
    <section className="console-card" aria-labelledby="webhook-heading">
      <h2 id="webhook-heading">Webhook</h2>
      <p className="console-hook-state" data-status={hook.status}>
        Status: <strong>{hook.status}</strong>
        {hook.failing_since !== null && <> · failing since {new Date(hook.failing_since).toLocaleTimeString()}</>}
        {hook.alerted_at !== null && <> · alert raised</>}
        {hook.disabled_at !== null && <> · disabled {new Date(hook.disabled_at).toLocaleTimeString()}</>}
        {' · '}
        {hook.pending} pending, {hook.delivered} delivered
        {hook.next_attempt_at !== null && <> · next retry {new Date(hook.next_attempt_at).toLocaleTimeString()}</>}
      </p>
      {manage && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              await consoleApi.setWebhook(pageId, { url: url.trim(), verify_token: verifyToken, fields });
              return 'Handshake passed: the callback answered the challenge. Webhook saved.';
            });
          }}
        >
          <label htmlFor="hook-url">Callback URL</label>
          <input id="hook-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
          <label htmlFor="hook-token">Verify token</label>
          <input id="hook-token" value={verifyToken} onChange={(e) => setVerifyToken(e.target.value)} />
          <fieldset className="console-fields">
            <legend>Subscribed fields</legend>
            {hook.available_fields.map((f) => (
              <label key={f}>
                <input
                  type="checkbox"
                  checked={fields.includes(f)}
                  onChange={(e) => setFields(e.target.checked ? [...fields, f] : fields.filter((x) => x !== f))}
                />{' '}
                {f}
              </label>
            ))}
          </fieldset>
          <div className="console-actions">
            <button className="button primary" type="submit" disabled={busy || url.trim() === '' || verifyToken === ''}>
              Verify and save
            </button>
            <button
              className="button"
              type="button"
              disabled={busy || hook.callback_url === null}
              onClick={() => run(async () => describeAttempt(await consoleApi.testWebhook(pageId), 'Test event'))}
            >
              Send test event
            </button>
            {hook.status !== 'active' && (
              <button
                className="button"
                type="button"
                disabled={busy}
                onClick={() => run(async () => (await consoleApi.enableWebhook(pageId), 'Webhook enabled.'))}
              >
                Enable
              </button>
            )}
          </div>
        </form>
      )}
      {outcome !== null && (
        <p className={outcome.ok ? 'console-ok' : 'form-error'} role="status" data-testid="hook-outcome">
          {outcome.text}
        </p>
      )}
      <h3>Delivery log</h3>
      <table className="console-table" data-testid="delivery-log">
        <thead>
          <tr>
            <th>Time</th>
            <th>Kind</th>
            <th>Result</th>
            <th>Attempt</th>
            <th>Latency</th>
            <th>Answer</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {log.map((a) => (
            <tr key={a.id} data-ok={a.ok}>
              <td>{new Date(a.at).toLocaleTimeString()}</td>
              <td>{a.kind === 'test' ? 'test' : `${a.events} event${a.events === 1 ? '' : 's'}`}</td>
              <td>{a.ok ? `OK ${a.status_code}` : (a.error ?? 'failed')}</td>
              <td>{a.attempt}</td>
              <td>{a.latency_ms} ms</td>
              <td>
                <code>{a.response_snippet.slice(0, 80)}</code>
              </td>
              <td>
                {manage && a.first_event_id !== null && a.last_event_id !== null && (
                  <button
                    className="button subtle"
                    type="button"
                    onClick={() =>
                      run(
                        async () =>
                          `${(await consoleApi.redeliver(pageId, a.first_event_id as number, a.last_event_id as number)).redelivered} event(s) queued again.`,
                      )
                    }
                  >
                    Redeliver
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function describeAttempt(a: ConsoleDeliveryAttempt, what: string): string {
  return a.ok
    ? `${what} delivered: HTTP ${a.status_code} in ${a.latency_ms} ms.`
    : `${what} failed: ${a.error ?? 'no answer'}.`;
}
