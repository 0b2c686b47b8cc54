/**
 * Set-up the escalation suites share (test/push/web-push.test.ts, test/sms/escalation.test.ts):
 * a page whose customer consented to its fraud_alerts and balances, the customer API as that
 * customer, tagged alerts sent through the Send API, and the customer's live stream.
 */
import { expect } from 'vitest';
import WebSocket from 'ws';
import { declareCategory } from '../src/features/consent/declarations.js';
import type { Hub } from '../src/hub.js';
import { buildGraphFixture, type GraphFixture } from './contract/graph-fixtures.js';

/** A Graph fixture whose customer consented to the page's fraud_alerts and balances. */
export async function buildAlertFixture(hub: Hub): Promise<GraphFixture> {
  const fx = await buildGraphFixture(hub);
  await declareCategory(hub.ctx, {
    pageId: fx.page.page_id,
    category: 'fraud_alerts',
    purpose: 'Alerts about suspicious card activity',
  });
  await declareCategory(hub.ctx, { pageId: fx.page.page_id, category: 'balances', purpose: 'Balance updates' });
  await hub.services.consents.set(fx.customer.id, fx.page.page_id, ['fraud_alerts', 'balances']);
  return fx;
}

/**
 * The customer API over `inject`, as the fixture's customer unless another cookie is given.
 * Hub and fixture are read at each call: a suite builds them per test (and may restart the hub).
 */
export function customerApi(hub: () => Hub, fx: () => GraphFixture) {
  return (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: object, cookie = fx().customer.cookie) =>
    hub().app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload }) });
}

/** A button template message: the alert's text and its postback buttons. */
export function buttonAlert(text: string, buttons: Array<{ type: 'postback'; title: string; payload: string }>) {
  return { attachment: { type: 'template', payload: { template_type: 'button', text, buttons } } };
}

/** Sends `message` as a tagged ACCOUNT_UPDATE in `category` from the fixture's page; answers its mid. */
export async function sendTaggedAlert(hub: Hub, fx: GraphFixture, category: string, message: object): Promise<string> {
  const res = await hub.app.inject({
    method: 'POST',
    url: `/v25.0/me/messages?access_token=${fx.page.page_access_token}`,
    payload: {
      recipient: { id: fx.psid },
      messaging_type: 'MESSAGE_TAG',
      tag: 'ACCOUNT_UPDATE',
      notification_category: category,
      message,
    },
  });
  expect(res.statusCode).toBe(200);
  return res.json().message_id as string;
}

/** Opens the customer's live stream (`/api/stream`) and waits for its first frame. */
export async function openCustomerStream(hub: Hub, cookie: string): Promise<WebSocket> {
  const base = (await hub.listen()).replace('http', 'ws');
  const ws = new WebSocket(`${base}/api/stream`, { headers: { cookie } });
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  return ws;
}
