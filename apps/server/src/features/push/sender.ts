/**
 * Sends one push (RFC 8030) with the maintained `web-push` package doing the RFC 8291
 * `aes128gcm` encryption and the RFC 8292 VAPID signature; the HTTP request itself goes
 * through `fetch` with a timeout, after the egress guard, so it works on any endpoint the
 * hub allows and a slow push service never holds a worker for long.
 */
import webpush from 'web-push';
import { assertEgressAllowed, type EgressPolicy } from '../../privacy/egress-guard.js';
import type { PushTarget } from './subscriptions.js';
import type { VapidKeys } from './vapid.js';

export interface PushOptions {
  ttlSeconds: number;
  urgency: 'high' | 'normal';
  topic: string;
}

/** How a push went: `sent`; `gone` (404/410: the device unsubscribed); `retry` (5xx, 429, timeout, network); `rejected` (other 4xx). */
export type PushOutcome = 'sent' | 'gone' | 'retry' | 'rejected';

/** The port the worker sends through (tests may count calls). */
export type PushSender = (
  target: PushTarget,
  payload: string,
  options: PushOptions,
) => Promise<{ outcome: PushOutcome; status: number | null }>;

export function webPushSender(vapid: VapidKeys, egress: EgressPolicy, timeoutMs: number): PushSender {
  return async (target, payload, options) => {
    const details = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: target.keys }, payload, {
      vapidDetails: vapid,
      TTL: options.ttlSeconds,
      urgency: options.urgency,
      topic: options.topic,
      contentEncoding: 'aes128gcm',
    });
    try {
      await assertEgressAllowed(details.endpoint, egress);
    } catch {
      return { outcome: 'rejected', status: null };
    }
    let res: Response;
    try {
      res = await fetch(details.endpoint, {
        method: details.method,
        headers: details.headers as Record<string, string>,
        body: details.body as Buffer,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      return { outcome: 'retry', status: null };
    }
    const status = res.status;
    if (status >= 200 && status < 300) return { outcome: 'sent', status };
    if (status === 404 || status === 410) return { outcome: 'gone', status };
    if (status === 429 || status >= 500) return { outcome: 'retry', status };
    return { outcome: 'rejected', status };
  };
}
