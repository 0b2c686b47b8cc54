/**
 * SMS routes. Customer API: the phone number (`GET/PUT/DELETE /api/sms/phone`, verified with
 * `POST /api/sms/phone/verify`). Carrier webhooks in the Twilio format, each checked against
 * `X-Twilio-Signature` over the public URL: replies (`POST /sms/inbound`) and delivery status
 * (`POST /sms/status`). With the fake carrier (never in production): `/dev/sms`, a page
 * listing the texts sent, with a form to reply as a phone.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { customerOf } from '../../http/customer-auth.js';
import { appendAudit } from '../../privacy/audit-log.js';
import { setHtmlSecurityHeaders } from '../web/security-headers.js';
import { FakeCarrier } from './fake-carrier.js';
import type { SmsInbound } from './inbound.js';
import type { Phones } from './phones.js';
import { verifyTwilioSignature, type SmsProvider } from './provider.js';

type Auth = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone: must be an international number like +447700900123');
const TwilioForm = z.record(z.string(), z.string());
const InboundSchema = z.object({ From: E164, Body: z.string().max(1600) }).passthrough();
const StatusSchema = z
  .object({ MessageSid: z.string().min(1).max(64), MessageStatus: z.string().min(1).max(32) })
  .passthrough();
const FINAL_STATUSES = new Set(['delivered', 'undelivered', 'failed']);

export function smsRoutes(ctx: HubContext, sms: SmsProvider, phones: Phones, inbound: SmsInbound, auth: Auth) {
  return async (app: FastifyInstance): Promise<void> => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/api/sms/phone', { schema: { tags: ['sms'] }, preHandler: auth }, async (request) => ({
      data: await phones.get(customerOf(request).id),
    }));
    r.put(
      '/api/sms/phone',
      { schema: { tags: ['sms'], body: z.object({ phone: E164 }).strict() }, preHandler: auth },
      async (request, reply) => {
        await phones.start(customerOf(request).id, request.body.phone);
        return reply.status(202).send({ data: await phones.get(customerOf(request).id) });
      },
    );
    r.post(
      '/api/sms/phone/verify',
      {
        schema: { tags: ['sms'], body: z.object({ code: z.string().regex(/^\d{6}$/, 'code: 6 digits') }).strict() },
        preHandler: auth,
      },
      async (request) => {
        await phones.verify(customerOf(request).id, request.body.code);
        return { data: await phones.get(customerOf(request).id) };
      },
    );
    r.delete('/api/sms/phone', { schema: { tags: ['sms'] }, preHandler: auth }, async (request, reply) => {
      await phones.remove(customerOf(request).id);
      return reply.status(204).send();
    });

    /** The form of a carrier webhook, once its signature checks out. @throws PlatformError `FORBIDDEN`. */
    const signedForm = (request: FastifyRequest): Record<string, string> => {
      const form = TwilioForm.safeParse(request.body);
      const signature = request.headers['x-twilio-signature'];
      const url = `${ctx.config.publicUrl}${request.url}`;
      if (
        !form.success ||
        typeof signature !== 'string' ||
        !verifyTwilioSignature(sms.authToken, url, form.data, signature)
      ) {
        throw new PlatformError('FORBIDDEN', { message: 'Bad or missing X-Twilio-Signature.' });
      }
      return form.data;
    };
    r.post('/sms/inbound', { schema: { hide: true } }, async (request, reply) => {
      const form = InboundSchema.safeParse(signedForm(request));
      if (!form.success) throw new PlatformError('BAD_REQUEST', { message: 'From and Body are required.' });
      await inbound.receive(form.data.From, form.data.Body);
      return reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    });
    r.post('/sms/status', { schema: { hide: true } }, async (request, reply) => {
      const form = StatusSchema.safeParse(signedForm(request));
      if (!form.success)
        throw new PlatformError('BAD_REQUEST', { message: 'MessageSid and MessageStatus are required.' });
      const { MessageSid: sid, MessageStatus: status } = form.data;
      await ctx.storage.writes.run(async (tx) => {
        const sent = await tx.db
          .selectFrom('sms_sends')
          .select(['id', 'customer_id', 'page_id'])
          .where('sid', '=', sid)
          .executeTakeFirst();
        if (sent === undefined) return;
        await tx.db.updateTable('sms_sends').set({ status }).where('id', '=', sent.id).execute();
        if (FINAL_STATUSES.has(status)) {
          await appendAudit(tx.db, {
            at: ctx.now(),
            actor: 'hub:sms',
            action: 'notification.sms',
            customerId: sent.customer_id,
            target: sent.page_id,
            details: { channel: 'sms', direction: 'status', page_id: sent.page_id, outcome: status },
          });
        }
      });
      return reply.status(204).send();
    });

    if (sms instanceof FakeCarrier && ctx.config.NODE_ENV !== 'production') {
      const carrier = sms;
      app.get('/dev/sms', { schema: { hide: true } }, async (_request, reply) => {
        setHtmlSecurityHeaders(reply);
        void reply.header('cache-control', 'no-store');
        return reply.type('text/html; charset=utf-8').send(fakeCarrierPage(carrier));
      });
      r.post(
        '/dev/sms/reply',
        { schema: { hide: true, body: z.object({ from: E164, body: z.string().min(1).max(1600) }) } },
        async (request, reply) => {
          // Through the real webhook, signed as the carrier signs it.
          const url = `${ctx.config.publicUrl}/sms/inbound`;
          const { params, signature } = carrier.reply(url, request.body.from, request.body.body);
          await app.inject({
            method: 'POST',
            url: '/sms/inbound',
            headers: { 'x-twilio-signature': signature, 'content-type': 'application/x-www-form-urlencoded' },
            payload: new URLSearchParams(params).toString(),
          });
          return reply.redirect('/dev/sms', 303);
        },
      );
    }
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function fakeCarrierPage(carrier: FakeCarrier): string {
  const rows = [...carrier.texts]
    .reverse()
    .map(
      (t) =>
        `<li><b>${t.direction === 'out' ? `to ${escape(t.to)}` : `from ${escape(t.from)}`}</b> <small>${new Date(t.at).toISOString()}</small><br>${escape(t.body)}</li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fake SMS carrier · Confide</title></head><body>
<h1>Fake SMS carrier</h1><p>Texts the hub sent from ${escape(carrier.from)} (newest first). Reply as a phone:</p>
<form method="post" action="/dev/sms/reply"><label>From <input name="from" required placeholder="+447700900123"></label>
<label>Text <input name="body" required placeholder="YES"></label><button type="submit">Send reply</button></form>
<ul>${rows || '<li>No texts yet.</li>'}</ul></body></html>`;
}
