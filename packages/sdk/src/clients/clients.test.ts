import { SendMessageRequestSchema } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { fakeFetch, jsonResponse } from '../../test/fake-fetch.js';
import { Platform } from '../platform.js';

const make = (...answers: Response[]) => {
  const { fetch, calls } = fakeFetch(
    ...(answers.length ? answers : [jsonResponse({ recipient_id: 'psid-1', message_id: 'm_1' })]),
  );
  return { platform: new Platform({ baseUrl: 'http://hub.test', accessToken: 'tok', fetch }), calls };
};

describe('MessagesClient', () => {
  it('sends text as a RESPONSE to a PSID', async () => {
    const { platform, calls } = make();
    await expect(platform.messages.sendText('psid-1', 'hi')).resolves.toEqual({
      recipient_id: 'psid-1',
      message_id: 'm_1',
    });
    expect(calls[0]!.url.pathname).toBe('/v25.0/me/messages');
    expect(calls[0]!.body).toEqual({
      recipient: { id: 'psid-1' },
      messaging_type: 'RESPONSE',
      message: { text: 'hi' },
    });
  });

  it('maps persona, reply-to, metadata and notification type', async () => {
    const { platform, calls } = make();
    await platform.messages.sendText({ user_ref: 'u' }, 'hi', {
      messagingType: 'UPDATE',
      personaId: 'p1',
      replyTo: 'm_0',
      metadata: 'meta',
      notificationType: 'SILENT_PUSH',
    });
    expect(calls[0]!.body).toEqual({
      recipient: { user_ref: 'u' },
      messaging_type: 'UPDATE',
      message: { text: 'hi', metadata: 'meta' },
      persona_id: 'p1',
      reply_to: { mid: 'm_0' },
      notification_type: 'SILENT_PUSH',
    });
  });

  it('sends a proactive update with tag and notification_category', async () => {
    const { platform, calls } = make();
    await platform.messages.sendProactiveUpdate(
      'psid-1',
      { text: 'Was this you?' },
      { tag: 'ACCOUNT_UPDATE', notificationCategory: 'fraud_alert' },
    );
    expect(calls[0]!.body).toEqual({
      recipient: { id: 'psid-1' },
      messaging_type: 'MESSAGE_TAG',
      tag: 'ACCOUNT_UPDATE',
      notification_category: 'fraud_alert',
      message: { text: 'Was this you?' },
    });
  });

  it('sends quick replies and templates', async () => {
    const { platform, calls } = make();
    await platform.messages.sendQuickReplies('p', 'Which?', [{ content_type: 'text', title: 'A', payload: 'A' }]);
    await platform.messages.sendButtonTemplate('p', 'Log in', [{ type: 'account_link', url: 'https://bank/link' }]);
    await platform.messages.sendGenericTemplate('p', [{ title: 'Card' }], { imageAspectRatio: 'square' });
    await platform.messages.sendReceiptTemplate('p', {
      recipient_name: 'Ana',
      order_number: '1',
      currency: 'EUR',
      payment_method: 'Visa 2345',
      summary: { total_cost: 10 },
    });
    const messages = calls.map((c) => (c.body as { message: unknown }).message);
    expect(messages[0]).toEqual({
      text: 'Which?',
      quick_replies: [{ content_type: 'text', title: 'A', payload: 'A' }],
    });
    expect(messages[1]).toEqual({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Log in',
          buttons: [{ type: 'account_link', url: 'https://bank/link' }],
        },
      },
    });
    expect(messages[2]).toEqual({
      attachment: {
        type: 'template',
        payload: { template_type: 'generic', elements: [{ title: 'Card' }], image_aspect_ratio: 'square' },
      },
    });
    expect(messages[3]).toMatchObject({
      attachment: { payload: { template_type: 'receipt', summary: { total_cost: 10 } } },
    });
  });

  it('sends media by URL and by attachment id', async () => {
    const { platform, calls } = make();
    await platform.messages.sendAttachmentUrl('p', 'image', 'https://x/a.png', { isReusable: true });
    await platform.messages.sendAttachmentId('p', 'file', 'att-1');
    expect((calls[0]!.body as { message: unknown }).message).toEqual({
      attachment: { type: 'image', payload: { url: 'https://x/a.png', is_reusable: true } },
    });
    expect((calls[1]!.body as { message: unknown }).message).toEqual({
      attachment: { type: 'file', payload: { attachment_id: 'att-1' } },
    });
  });

  it('sends a sender action alone', async () => {
    const { platform, calls } = make(jsonResponse({ recipient_id: 'p' }));
    await platform.messages.senderAction('p', 'typing_on');
    expect(calls[0]!.body).toEqual({ recipient: { id: 'p' }, sender_action: 'typing_on' });
  });

  it("writes bodies the hub's Send API schema accepts", async () => {
    const { platform, calls } = make();
    const psid = '1234567';
    await platform.messages.sendText(psid, 'hi', {
      personaId: '42',
      replyTo: 'm_0',
      notificationType: 'NO_PUSH',
      metadata: 'm',
    });
    await platform.messages.sendQuickReplies(psid, 'Which?', [
      { content_type: 'text', title: 'A', payload: 'A' },
      { content_type: 'user_email' },
    ]);
    await platform.messages.sendButtonTemplate(psid, 'Log in', [
      { type: 'account_link', url: 'https://bank.example/link' },
    ]);
    await platform.messages.sendGenericTemplate(psid, [{ title: 'Card', subtitle: 'Visa' }], {
      imageAspectRatio: 'square',
      sharable: false,
    });
    await platform.messages.sendReceiptTemplate(psid, {
      recipient_name: 'Ana',
      order_number: '1',
      currency: 'EUR',
      payment_method: 'Visa',
      summary: { total_cost: 1 },
    });
    await platform.messages.sendAttachmentUrl(psid, 'image', 'https://x.example/a.png', { isReusable: true });
    await platform.messages.sendAttachmentId(psid, 'file', '99');
    await platform.messages.senderAction(psid, 'mark_seen');
    await platform.messages.sendProactiveUpdate(
      psid,
      { text: 'Was this you?' },
      { tag: 'ACCOUNT_UPDATE', notificationCategory: 'fraud_alert' },
    );
    for (const call of calls) expect(SendMessageRequestSchema.safeParse(call.body).error).toBeUndefined();
  });
});

describe('AttachmentsClient', () => {
  it('uploads bytes as multipart with message and filedata fields', async () => {
    const { platform, calls } = make(jsonResponse({ attachment_id: 'att-9' }));
    const res = await platform.attachments.upload({
      type: 'file',
      file: new Blob(['%PDF'], { type: 'application/pdf' }),
      filename: 's.pdf',
    });
    expect(res).toEqual({ attachment_id: 'att-9' });
    expect(calls[0]!.url.pathname).toBe('/v25.0/me/message_attachments');
    const form = calls[0]!.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect(JSON.parse(form.get('message') as string)).toEqual({
      attachment: { type: 'file', payload: { is_reusable: true } },
    });
    const file = form.get('filedata') as File;
    expect(file.name).toBe('s.pdf');
    expect(await file.text()).toBe('%PDF');
  });

  it('uploads from a URL as JSON', async () => {
    const { platform, calls } = make(jsonResponse({ attachment_id: 'att-1' }));
    await platform.attachments.upload({ type: 'image', url: 'https://x/a.png' });
    expect(calls[0]!.body).toEqual({
      message: { attachment: { type: 'image', payload: { url: 'https://x/a.png', is_reusable: true } } },
    });
  });
});

describe('ProfileClient', () => {
  it('gets, sets and deletes messenger profile fields', async () => {
    const { platform, calls } = make(
      jsonResponse({ data: [{ get_started: { payload: 'GO' } }] }),
      jsonResponse({ result: 'success' }),
    );
    await expect(platform.profile.getMessengerProfile(['get_started', 'greeting'])).resolves.toEqual({
      get_started: { payload: 'GO' },
    });
    await platform.profile.setMessengerProfile({ account_linking_url: 'https://bank/link' });
    await platform.profile.deleteMessengerProfile(['greeting']);
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'GET /v25.0/me/messenger_profile',
      'POST /v25.0/me/messenger_profile',
      'DELETE /v25.0/me/messenger_profile',
    ]);
    expect(calls[0]!.url.searchParams.get('fields')).toBe('get_started,greeting');
    expect(calls[2]!.body).toEqual({ fields: ['greeting'] });
  });

  it('reads a user profile by PSID', async () => {
    const { platform, calls } = make(jsonResponse({ id: 'p', first_name: 'Ana' }));
    await expect(platform.profile.getUserProfile('p')).resolves.toMatchObject({ first_name: 'Ana' });
    expect(calls[0]!.url.pathname).toBe('/v25.0/p');
    expect(calls[0]!.url.searchParams.get('fields')).toBe('first_name,last_name,profile_pic');
  });
});

describe('LinkingClient', () => {
  it('resolves the PSID behind an account_linking_token', async () => {
    const { platform, calls } = make(jsonResponse({ id: 'page-1', recipient: 'psid-7' }));
    await expect(platform.linking.getPsid('ALT')).resolves.toBe('psid-7');
    expect(calls[0]!.url.pathname).toBe('/v25.0/me');
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toMatchObject({
      fields: 'recipient',
      account_linking_token: 'ALT',
    });
  });

  it('unlinks by PSID', async () => {
    const { platform, calls } = make(jsonResponse({ result: 'unlink account success' }));
    await platform.linking.unlink('psid-7');
    expect(calls[0]).toMatchObject({ method: 'POST', body: { psid: 'psid-7' } });
    expect(calls[0]!.url.pathname).toBe('/v25.0/me/unlink_accounts');
  });
});

describe('HandoverClient', () => {
  it('passes to the page inbox with app id 263902037430900', async () => {
    const { platform, calls } = make(jsonResponse({ success: true }));
    await expect(platform.handover.passToInbox('p', 'agent please')).resolves.toEqual({ success: true });
    expect(calls[0]!.url.pathname).toBe('/v25.0/me/pass_thread_control');
    expect(calls[0]!.body).toEqual({
      recipient: { id: 'p' },
      target_app_id: 263902037430900,
      metadata: 'agent please',
    });
  });

  it('takes, requests and releases control', async () => {
    const { platform, calls } = make(jsonResponse({ success: true }));
    await platform.handover.takeThreadControl('p');
    await platform.handover.requestThreadControl('p', 'm');
    await platform.handover.releaseThreadControl('p');
    expect(calls.map((c) => c.url.pathname.split('/').pop())).toEqual([
      'take_thread_control',
      'request_thread_control',
      'release_thread_control',
    ]);
    expect(calls[1]!.body).toEqual({ recipient: { id: 'p' }, metadata: 'm' });
  });

  it('reads the thread owner and secondary receivers', async () => {
    const { platform, calls } = make(
      jsonResponse({ data: [{ thread_owner: { app_id: 42 } }] }),
      jsonResponse({ data: [{ id: '1', name: 'Inbox' }] }),
    );
    await expect(platform.handover.getThreadOwner('p')).resolves.toBe('42');
    await expect(platform.handover.getSecondaryReceivers()).resolves.toEqual([{ id: '1', name: 'Inbox' }]);
    expect(calls[0]!.url.searchParams.get('recipient')).toBe('p');
    expect(calls[1]!.url.searchParams.get('fields')).toBe('id,name');
  });
});
