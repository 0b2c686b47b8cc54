import { describe, expect, it } from 'vitest';
import { MessageTemplateStatusUpdateSchema } from '../send-api/message-templates.js';
import {
  RawWebhookEnvelopeSchema,
  WebhookEnvelopeSchema,
  WebhookEventSchema,
  webhookEventKind,
  type WebhookEventKind,
} from './envelope.js';

const base = { sender: { id: 'psid-1' }, recipient: { id: 'page-1' }, timestamp: 1_700_000_000_000 };

const ITEMS: Record<WebhookEventKind, Record<string, unknown>> = {
  message: {
    ...base,
    message: {
      mid: 'm_1',
      text: 'hi',
      quick_reply: { payload: 'QR' },
      reply_to: { mid: 'm_0' },
      attachments: [
        { type: 'image', payload: { url: 'https://x/y.png' } },
        { type: 'fallback', payload: null },
      ],
    },
  },
  echo: { ...base, message: { mid: 'm_2', is_echo: true, app_id: 1517776481860111, metadata: 'meta', text: 'yo' } },
  postback: { ...base, postback: { title: 'Start', payload: 'GET_STARTED', mid: 'm_3' } },
  delivery: { ...base, delivery: { mids: ['m_1'], watermark: 1_700_000_000_000 } },
  read: { ...base, read: { watermark: 1_700_000_000_000 } },
  account_linking: {
    ...base,
    account_linking: {
      status: 'linked',
      authorization_code: 'code-1',
      consent: { categories: ['fraud_alert'], expires_at: 1_800_000_000_000 },
    },
  },
  optin: { sender: { user_ref: 'ref-1' }, recipient: { id: 'page-1' }, timestamp: 1, optin: { ref: 'PASS_PARAM' } },
  pass_thread_control: {
    ...base,
    pass_thread_control: { previous_owner_app_id: null, new_owner_app_id: '123', metadata: 'm' },
  },
  take_thread_control: { ...base, take_thread_control: { previous_owner_app_id: '123', metadata: 'm' } },
  request_thread_control: { ...base, request_thread_control: { requested_owner_app_id: '263902037430900' } },
  app_roles: { ...base, app_roles: { '123': ['primary_receiver'] } },
  messaging_feedback: {
    ...base,
    messaging_feedback: {
      feedback_screens: [{ screen_id: 0, questions: { csat_1: { type: 'csat', payload: '4' } } }],
    },
  },
};

describe('WebhookEventSchema', () => {
  for (const [kind, item] of Object.entries(ITEMS)) {
    it(`parses and classifies a ${kind} item`, () => {
      const event = WebhookEventSchema.parse(item);
      expect(webhookEventKind(event)).toBe(kind);
    });
  }

  it('keeps the quick reply, reply_to and attachments of a message', () => {
    const event = WebhookEventSchema.parse(ITEMS.message);
    expect(event).toMatchObject({ message: { quick_reply: { payload: 'QR' }, reply_to: { mid: 'm_0' } } });
  });

  it('accepts an unlinked event without an authorization code', () => {
    const event = WebhookEventSchema.parse({ ...base, account_linking: { status: 'unlinked' } });
    expect(webhookEventKind(event)).toBe('account_linking');
  });

  it('rejects an item of an unknown kind', () => {
    expect(WebhookEventSchema.safeParse({ ...base, reaction: { mid: 'm', action: 'react' } }).success).toBe(false);
  });

  it('rejects an account_linking status outside linked|unlinked', () => {
    expect(WebhookEventSchema.safeParse({ ...base, account_linking: { status: 'pending' } }).success).toBe(false);
  });
});

describe('WebhookEnvelopeSchema', () => {
  it('parses a batched envelope with messaging and standby items', () => {
    const body = {
      object: 'page',
      entry: [
        { id: 'page-1', time: 1, messaging: [ITEMS.message, ITEMS.read] },
        { id: 'page-1', time: 2, standby: [ITEMS.echo] },
      ],
    };
    const parsed = WebhookEnvelopeSchema.parse(body);
    expect(parsed.entry).toHaveLength(2);
    expect(parsed.entry[1]?.standby).toHaveLength(1);
  });

  it('parses a sticker attachment (Graph v26.0) and a message_template_status_update change', () => {
    const sticker = {
      ...base,
      message: {
        mid: 'm_9',
        attachments: [{ type: 'sticker', payload: { url: 'https://x/s.png', sticker_id: 369239263222822 } }],
      },
    };
    const change = {
      field: 'message_template_status_update',
      value: {
        event: 'APPROVED',
        message_template_id: '1',
        message_template_name: 'n',
        message_template_language: 'en',
        reason: 'NONE',
      },
    };
    const parsed = WebhookEnvelopeSchema.parse({
      object: 'page',
      entry: [
        { id: 'page-1', time: 1, messaging: [sticker] },
        { id: 'page-1', time: 2, changes: [change] },
      ],
    });
    const event = parsed.entry[0]?.messaging?.[0];
    expect(event !== undefined && 'message' in event ? event.message.attachments?.[0] : undefined).toEqual(
      sticker.message.attachments[0],
    );
    expect(MessageTemplateStatusUpdateSchema.parse(parsed.entry[1]?.changes?.[0]?.value)).toMatchObject({
      event: 'APPROVED',
    });
  });

  it('only accepts object "page"', () => {
    expect(WebhookEnvelopeSchema.safeParse({ object: 'instagram', entry: [] }).success).toBe(false);
  });
});

describe('RawWebhookEnvelopeSchema', () => {
  it('keeps items of unknown kinds for the receiver to skip', () => {
    const body = { object: 'page', entry: [{ id: 'p', time: 1, messaging: [{ ...base, reaction: {} }] }] };
    expect(RawWebhookEnvelopeSchema.parse(body).entry[0]?.messaging).toHaveLength(1);
  });
});
