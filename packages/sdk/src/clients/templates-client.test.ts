import { CreateMessageTemplateRequestSchema, SendMessageRequestSchema, TemplateMessageSchema } from '@confide/protocol';
import { describe, expect, it } from 'vitest';
import { fakeFetch, graphError, jsonResponse } from '../../test/fake-fetch.js';
import { isPlatformApiError } from '../errors.js';
import { Platform } from '../platform.js';
import type { MessageTemplateInput } from './templates-client.js';

const make = (...answers: Response[]) => {
  const { fetch, calls } = fakeFetch(...answers);
  return { platform: new Platform({ baseUrl: 'http://hub.test', accessToken: 'tok', fetch }), calls };
};

/** What the hub accepts as a utility send (the same schemas it parses with). */
const UtilitySend = SendMessageRequestSchema.omit({ message: true }).extend({ message: TemplateMessageSchema });

const template: MessageTemplateInput = {
  name: 'card_payment_check',
  language: 'en_US',
  category: 'UTILITY',
  notification_category: 'fraud_alerts',
  components: [
    {
      type: 'BODY',
      text: 'We noticed a payment of {{1}} at {{2}}. Please confirm it.',
      example: { body_text: [['€42.00', 'Coffee Corner']] },
    },
    {
      type: 'BUTTONS',
      buttons: [
        {
          type: 'URL',
          text: 'Review',
          url: 'https://bank.example/p/{{1}}',
          example: { url_suffix_example: 'https://bank.example/p/1' },
        },
      ],
    },
  ],
};

describe('TemplatesClient', () => {
  it('creates a template at /me/message_templates with a body the hub accepts', async () => {
    const { platform, calls } = make(jsonResponse({ id: '123', status: 'APPROVED', category: 'UTILITY' }));
    await expect(platform.templates.create(template)).resolves.toEqual({
      id: '123',
      status: 'APPROVED',
      category: 'UTILITY',
    });
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.url.pathname).toBe('/v25.0/me/message_templates');
    expect(calls[0]!.body).toEqual(template);
    expect(CreateMessageTemplateRequestSchema.safeParse(calls[0]!.body).success).toBe(true);
  });

  it('lists with Meta’s filters, reads by id and deletes by name (and id)', async () => {
    const stored = { id: '123', name: 'card_payment_check', status: 'APPROVED' };
    const { platform, calls } = make(
      jsonResponse({ data: [stored], paging: { cursors: { before: '123', after: '123' } } }),
      jsonResponse(stored),
      jsonResponse({ success: true }),
    );
    await expect(platform.templates.list({ status: 'APPROVED', name_or_content: 'payment' })).resolves.toEqual([
      stored,
    ]);
    expect(calls[0]!.url.pathname).toBe('/v25.0/me/message_templates');
    expect(calls[0]!.url.searchParams.get('status')).toBe('APPROVED');
    expect(calls[0]!.url.searchParams.get('name_or_content')).toBe('payment');
    await expect(platform.templates.get('123')).resolves.toEqual(stored);
    expect(calls[1]!.url.pathname).toBe('/v25.0/123');
    await expect(platform.templates.delete('card_payment_check', { hsmId: '123' })).resolves.toEqual({ success: true });
    expect(calls[2]!.method).toBe('DELETE');
    expect(calls[2]!.url.searchParams.get('name')).toBe('card_payment_check');
    expect(calls[2]!.url.searchParams.get('hsm_id')).toBe('123');
  });

  it('sends a utility template by name and language with header, body and button parameters', async () => {
    const { platform, calls } = make(jsonResponse({ recipient_id: '1234567', message_id: 'm_1' }));
    await expect(
      platform.templates.send(
        '1234567',
        'card_payment_check',
        'en_US',
        { header: 'Card', body: ['€42.00', 'Coffee Corner'], buttons: [{ type: 'URL', url: 'p-1' }] },
        { metadata: 'm' },
      ),
    ).resolves.toEqual({ recipient_id: '1234567', message_id: 'm_1' });
    expect(calls[0]!.url.pathname).toBe('/v25.0/me/messages');
    expect(calls[0]!.body).toEqual({
      recipient: { id: '1234567' },
      messaging_type: 'UTILITY',
      message: {
        template: {
          name: 'card_payment_check',
          language: { code: 'en_US' },
          components: [
            { type: 'header', parameters: [{ type: 'text', text: 'Card' }] },
            {
              type: 'body',
              parameters: [
                { type: 'text', text: '€42.00' },
                { type: 'text', text: 'Coffee Corner' },
              ],
            },
            { type: 'buttons', parameters: [{ type: 'URL', url: 'p-1' }] },
          ],
        },
        metadata: 'm',
      },
    });
    expect(UtilitySend.safeParse(calls[0]!.body).success).toBe(true);
  });

  it('sends reply_to with a utility send that refers to an earlier message', async () => {
    const { platform, calls } = make(jsonResponse({ recipient_id: '1234567', message_id: 'm_2' }));
    await platform.templates.send('1234567', 'case_closed', 'en', { body: ['FC-1'] }, { replyTo: 'm_1' });
    expect(calls[0]!.body).toMatchObject({ messaging_type: 'UTILITY', reply_to: { mid: 'm_1' } });
    expect(UtilitySend.safeParse(calls[0]!.body).success).toBe(true);
  });

  it('searches the library and clones a library template', async () => {
    const entry = { id: '91', name: 'card_payment_check_1', language: 'en', notification_category: 'fraud_alerts' };
    const { platform, calls } = make(
      jsonResponse({ data: [entry], paging: { cursors: { before: '91', after: '91' } } }),
      jsonResponse({ id: '5', status: 'APPROVED', category: 'UTILITY' }),
    );
    await expect(platform.templates.library({ topic: 'ACCOUNT_UPDATES' })).resolves.toEqual([entry]);
    expect(calls[0]!.url.pathname).toBe('/v25.0/message_template_library');
    expect(calls[0]!.url.searchParams.get('topic')).toBe('ACCOUNT_UPDATES');
    await platform.templates.create({
      name: 'fraud_check',
      language: 'en',
      category: 'UTILITY',
      library_template_name: 'card_payment_check_1',
    });
    expect(CreateMessageTemplateRequestSchema.safeParse(calls[1]!.body).success).toBe(true);
  });

  it('sends a template without variables with no components, and surfaces a consent refusal as a typed error', async () => {
    const { platform, calls } = make(graphError(10, { error_subcode: 1400001 }));
    const err: unknown = await platform.templates.send('psid-1', 'statement_ready', 'en').catch((e: unknown) => e);
    expect(
      (calls[0]!.body as { message: { template: { components: unknown[] } } }).message.template.components,
    ).toEqual([]);
    expect(isPlatformApiError(err) && err.isConsentError()).toBe(true);
  });
});
