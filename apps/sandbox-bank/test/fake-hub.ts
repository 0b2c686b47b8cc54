/**
 * A fake Platform API as a `fetch` implementation: records every request the sandbox
 * makes through the SDK and answers like a hub would, with a switch for consent refusals.
 * Utility templates are kept (approved at once, unless `templateStatus` says otherwise)
 * and utility sends are filled in as the hub does: the captured `body` of such a send is
 * the message as the hub stores it (`messaging_type: 'UTILITY'`, the template's
 * `notification_category`, a `utility` template attachment), `raw` what the SDK posted.
 */
import { createHmac } from 'node:crypto';

export interface CapturedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  /** The body as posted (differs from `body` only for utility sends). */
  raw: any;
}

export interface FakeHub {
  fetch: typeof fetch;
  requests: CapturedRequest[];
  /** Requests to `/me/messages`. */
  sends(): CapturedRequest[];
  /** Categories the customer has NOT allowed: proactive sends in them get 10/1400001. */
  refuse: Set<string>;
  /** account_linking_token → PSID. */
  linkingTokens: Map<string, string>;
  /** Templates created, by id. */
  templates: Map<string, any>;
  /** Review outcome by template name (default `APPROVED`); `PENDING` stays so until changed here. */
  templateStatus: Map<string, 'APPROVED' | 'REJECTED' | 'PENDING'>;
}

const graphError = (message: string, code = 100) => ({
  error: { message, type: 'OAuthException', code, fbtrace_id: 'Afake' },
});

/** Fills `{{n}}` with `values[n - 1]`; throws (as the hub answers 100) when the counts differ or a value is not one line. */
function fill(text: string, values: readonly string[] = []): string {
  const count = (text.match(/\{\{\d+\}\}/g) ?? []).length;
  if (count !== values.length) throw new Error(`Number of parameters does not match: ${values.length}, not ${count}`);
  if (values.some((v) => v.length === 0 || /[\n\t]/.test(v))) throw new Error('Invalid parameter value');
  return text.replace(/\{\{(\d+)\}\}/g, (_, n: string) => values[Number(n) - 1] ?? '');
}

/** The message a utility send shows (the hub's fill-in), or throws for a mismatch. */
function fillUtility(template: any, components: any[]): object {
  const params = (type: string) => components.find((c) => c.type === type)?.parameters ?? [];
  const part = (type: string) => template.components.find((c: any) => c.type === type);
  const header = part('HEADER');
  const footer = part('FOOTER');
  const buttonParams = [...params('buttons')];
  const buttons = (part('BUTTONS')?.buttons ?? []).map((b: any) => {
    const payload = /\{\{\d+\}\}/.test(b.payload) ? fill(b.payload, [buttonParams.shift()?.payload]) : b.payload;
    return { type: 'postback', title: b.text, payload };
  });
  return {
    template_type: 'utility',
    name: template.name,
    language: template.language,
    ...(header === undefined
      ? {}
      : {
          header: fill(
            header.text,
            params('header').map((p: any) => p.text),
          ),
        }),
    text: fill(
      part('BODY').text,
      params('body').map((p: any) => p.text),
    ),
    ...(footer === undefined ? {} : { footer: footer.text }),
    ...(buttons.length === 0 ? {} : { buttons }),
  };
}

export function fakeHub(): FakeHub {
  const requests: CapturedRequest[] = [];
  const refuse = new Set<string>();
  const linkingTokens = new Map<string, string>();
  const templates = new Map<string, any>();
  const templateStatus = new Map<string, 'APPROVED' | 'REJECTED' | 'PENDING'>();
  let mid = 0;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const path = url.pathname.replace(/^\/v[\d.]+/, '');
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const captured: CapturedRequest = {
      method: init?.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      raw: body,
    };
    requests.push(captured);
    if (path === '/me/message_templates' && captured.method === 'POST') {
      const id = String(1000 + templates.size);
      const status = templateStatus.get(body.name) ?? 'APPROVED';
      templates.set(id, { ...body, id, status, rejected_reason: status === 'REJECTED' ? 'SCAM' : 'NONE' });
      return json(200, { id, status, category: 'UTILITY' });
    }
    if (path === '/me/message_templates')
      return json(200, {
        data: [...templates.values()].map((t) => ({ ...t, status: templateStatus.get(t.name) ?? t.status })),
        paging: { cursors: { before: '', after: '' } },
      });
    const template = templates.get(path.slice(1));
    if (template !== undefined)
      return json(200, { ...template, status: templateStatus.get(template.name) ?? template.status });
    if (path === '/me/messages' && body.message?.template !== undefined) {
      const sent = body.message.template;
      const found = [...templates.values()].find((t) => t.name === sent.name && t.language === sent.language.code);
      if (found === undefined)
        return json(400, graphError(`Template name does not exist in the translation: ${sent.name}`));
      let shown: object;
      try {
        shown = fillUtility(found, sent.components);
      } catch (err) {
        return json(400, graphError(String((err as Error).message)));
      }
      captured.body = {
        recipient: body.recipient,
        messaging_type: 'UTILITY',
        notification_category: found.notification_category,
        ...(body.reply_to === undefined ? {} : { reply_to: body.reply_to }),
        message: { attachment: { type: 'template', payload: shown } },
      };
    }
    if (path === '/me/messages') {
      const proactive = ['MESSAGE_TAG', 'UTILITY'].includes(captured.body.messaging_type);
      if (proactive && refuse.has(captured.body.notification_category)) {
        return json(400, {
          error: {
            message: 'The customer has not allowed this category of update from this business.',
            type: 'OAuthException',
            code: 10,
            error_subcode: 1400001,
            fbtrace_id: 'Afake',
          },
        });
      }
      return json(200, { recipient_id: body.recipient.id, message_id: `m_${++mid}` });
    }
    if (path === '/me' && url.searchParams.has('account_linking_token')) {
      const psid = linkingTokens.get(url.searchParams.get('account_linking_token') ?? '');
      if (psid === undefined)
        return json(400, {
          error: { message: 'Invalid account_linking_token', type: 'OAuthException', code: 10303, fbtrace_id: 'Afake' },
        });
      return json(200, { id: 'PAGE_1', recipient: psid });
    }
    if (path.endsWith('_thread_control')) return json(200, { success: true });
    if (path === '/me/messenger_profile') return json(200, { result: 'success' });
    if (path === '/me/approval_requests') return json(200, { id: `apr_${++mid}` });
    if (path === '/me/consent_requests') return json(200, { request_id: `cr_${++mid}`, message_id: `m_${mid}` });
    return json(404, {
      error: { message: `No fake for ${path}`, type: 'GraphMethodException', code: 100, fbtrace_id: 'Afake' },
    });
  };
  return {
    fetch: impl as typeof fetch,
    requests,
    sends: () => requests.filter((r) => r.path === '/me/messages'),
    refuse,
    linkingTokens,
    templates,
    templateStatus,
  };
}

export const PAGE_ID = 'PAGE_1';
export const APP_SECRET = 'test-app-secret-123';
export const VERIFY_TOKEN = 'test-verify-token';

/** A signed webhook POST for Fastify's inject. */
export function signedWebhook(messaging: object[]): {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  payload: string;
} {
  const payload = JSON.stringify({ object: 'page', entry: [{ id: PAGE_ID, time: Date.now(), messaging }] });
  const signature = `sha256=${createHmac('sha256', APP_SECRET).update(payload).digest('hex')}`;
  return {
    method: 'POST',
    url: '/webhook',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    payload,
  };
}

let seq = 0;
const base = (psid: string) => ({ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now() });
export const textEvent = (psid: string, text: string) => ({ ...base(psid), message: { mid: `in_${++seq}`, text } });
export const quickReplyEvent = (psid: string, title: string, payload: string) => ({
  ...base(psid),
  message: { mid: `in_${++seq}`, text: title, quick_reply: { payload } },
});
export const postbackEvent = (psid: string, title: string, payload: string) => ({
  ...base(psid),
  postback: { mid: `in_${++seq}`, title, payload },
});
export const linkedEvent = (
  psid: string,
  code: string,
  categories: string[] = ['balances', 'transactions', 'fraud_alerts'],
) => ({
  ...base(psid),
  account_linking: {
    status: 'linked',
    authorization_code: code,
    consent: { categories, expires_at: Date.now() + 86_400_000 },
  },
});
