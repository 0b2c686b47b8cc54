import { describe, expect, it } from 'vitest';
import { decodeByContent, decodeJsonBody } from './graph-body.js';
import { nestBrackets } from './graph-brackets.js';

describe('Graph body decoding', () => {
  it('nests PHP-style bracket names into the objects a JSON body gives', () => {
    const flat = decodeByContent(
      'recipient%5Bid%5D=42&messaging_type=RESPONSE&message[attachment][payload][url]=https%3A%2F%2Fx&fields[0]=greeting&fields[1]=get_started',
    );
    expect(nestBrackets(flat)).toEqual({
      recipient: { id: '42' },
      messaging_type: 'RESPONSE',
      message: { attachment: { payload: { url: 'https://x' } } },
      fields: ['greeting', 'get_started'],
    });
  });
  it('reads a JSON object sent as text or without a type as JSON; an empty JSON body is {}', () => {
    expect(decodeByContent('{"recipient":{"id":"1"}}')).toEqual({ recipient: { id: '1' } });
    expect(decodeJsonBody('')).toEqual({});
  });
  it('turns objects keyed exactly 0…n-1 into arrays, at any depth, and nothing else', () => {
    expect(nestBrackets({ message: { quick_replies: { '1': 'b', '0': 'a' } } })).toEqual({
      message: { quick_replies: ['a', 'b'] },
    });
    // Names that Number() reads as indices are not indices; an empty object stays an object.
    expect(nestBrackets({ a: { '': 'x', '1': 'y' }, b: { '0x0': 'x' }, c: {}, d: { '1': 'x' } })).toEqual({
      a: { '': 'x', '1': 'y' },
      b: { '0x0': 'x' },
      c: {},
      d: { '1': 'x' },
    });
    expect(nestBrackets({ 'f[0]': 'a', 'f[1]': 'b', 'g[0]': 'a', 'g[x]': 'b' })).toEqual({
      f: ['a', 'b'],
      g: { '0': 'a', x: 'b' },
    });
  });
  it('refuses prototype keys and a value given both as value and object', () => {
    expect(() => nestBrackets({ '__proto__[x]': '1' })).toThrow();
    expect(() => nestBrackets({ a: '1', 'a[b]': '2' })).toThrow();
  });
});
