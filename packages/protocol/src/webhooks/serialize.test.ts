import { describe, expect, it } from 'vitest';
import { serializeWebhookBody } from './serialize.js';

describe('serializeWebhookBody', () => {
  it('escapes non-ASCII with lowercase hex, as Meta signs it', () => {
    expect(serializeWebhookBody({ text: 'äöå' })).toBe('{"text":"\\u00e4\\u00f6\\u00e5"}');
  });

  it('escapes astral characters as two surrogates', () => {
    expect(serializeWebhookBody('😀')).toBe('"\\ud83d\\ude00"');
  });

  it('escapes line and paragraph separators and non-ASCII keys', () => {
    expect(serializeWebhookBody({ clé: '\u2028\u2029' })).toBe('{"cl\\u00e9":"\\u2028\\u2029"}');
  });

  it('leaves ASCII untouched and matches JSON.stringify', () => {
    const body = { object: 'page', entry: [{ id: '1', time: 2, text: 'a/b "q" \\ \u007f' }] };
    expect(serializeWebhookBody(body)).toBe(JSON.stringify(body));
  });

  it('parses back to the same value', () => {
    const body = { text: 'Zahlung über 12,50 € — 香港 🏦', n: [1, null, true] };
    const out = serializeWebhookBody(body);
    expect(out).toMatch(/^[\x00-\x7f]*$/);
    expect(JSON.parse(out)).toEqual(body);
  });

  it('rejects values JSON cannot represent', () => {
    expect(() => serializeWebhookBody(undefined)).toThrow(TypeError);
  });
});
