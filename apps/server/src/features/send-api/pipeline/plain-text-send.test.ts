import { describe, expect, it } from 'vitest';
import { parseSendRequest, parseWithSchema } from './parse-send.js';
import { plainTextSend } from './plain-text-send.js';

const OPTIONS = { allowLoopbackHttp: true, legacyTags: false };
const PSID = '7000000000000001';

describe('plain-text send fast path', () => {
  it.each([
    { recipient: { id: PSID }, message: { text: 'Your card limit is now 5,000 EUR' } },
    { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'ok' } },
    { recipient: { id: PSID }, messaging_type: 'UPDATE', message: { text: 'x'.repeat(1999) } },
    { recipient: { id: '1' }, message: { text: '💳 4111 1111 1111 1111' } },
  ])('gives the schema’s command for %j', (params) => {
    const fast = plainTextSend(params);
    expect(fast).toBeDefined();
    expect(fast).toEqual(parseWithSchema(params, OPTIONS));
    expect(parseSendRequest(params, OPTIONS)).toEqual(fast);
  });

  it.each([
    ['a numeric id', { recipient: { id: 7000000000000001 }, message: { text: 'hi' } }],
    ['a PSID that is not digits', { recipient: { id: 'abc' }, message: { text: 'hi' } }],
    ['a second recipient field', { recipient: { id: PSID, user_ref: 'u' }, message: { text: 'hi' } }],
    ['an empty text', { recipient: { id: PSID }, message: { text: '' } }],
    ['a long text', { recipient: { id: PSID }, message: { text: 'x'.repeat(2000) } }],
    ['metadata', { recipient: { id: PSID }, message: { text: 'hi', metadata: 'm' } }],
    ['a tag', { recipient: { id: PSID }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'hi' } }],
    ['a persona', { recipient: { id: PSID }, persona_id: '12', message: { text: 'hi' } }],
    ['an unknown parameter', { recipient: { id: PSID }, message: { text: 'hi' }, extra: 1 }],
    ['a text that is not a string', { recipient: { id: PSID }, message: { text: 5 } }],
    ['no message', { recipient: { id: PSID } }],
    ['an unknown messaging type', { recipient: { id: PSID }, messaging_type: 'NOPE', message: { text: 'hi' } }],
  ])('leaves %s to the schema', (_, params) => {
    expect(plainTextSend(params as Record<string, unknown>)).toBeUndefined();
  });

  it('answers what the schema answers for what it leaves (a refusal stays the schema’s)', () => {
    const params = { recipient: { id: PSID }, message: { text: '' } };
    expect(() => parseSendRequest(params, OPTIONS)).toThrow(/text/);
  });
});
