import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { twilioSignature, verifyTwilioSignature } from './provider.js';
import { alertText, helpText, MAX_SMS } from './texts.js';
import { SmsSendError, TwilioSms } from './twilio.js';

describe('Twilio-compatible carrier', () => {
  it('signs webhooks as Twilio documents it (HMAC-SHA1 over the URL and the sorted parameters)', () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(verifyTwilioSignature('12345', url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(true);
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '1235' }, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(
      false,
    );
    expect(verifyTwilioSignature('12345', url, params, undefined)).toBe(false);
  });

  it('sends form-encoded To/From/Body/StatusCallback with Basic auth, and reports carrier refusals', async () => {
    const seen: Array<{ url: string; auth: string; type: string; form: URLSearchParams }> = [];
    let status = 201;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          url: req.url ?? '',
          auth: String(req.headers.authorization),
          type: String(req.headers['content-type']),
          form: new URLSearchParams(body),
        });
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(
          status === 201
            ? JSON.stringify({ sid: 'SM123', status: 'queued' })
            : JSON.stringify({ code: 21211, message: 'Invalid To' }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const sms = new TwilioSms({
        baseUrl: base,
        accountSid: 'AC1',
        authToken: 'tok',
        from: '+15005550006',
        timeoutMs: 2000,
      });
      expect(await sms.send('+447700900123', 'hello', 'https://hub.example/sms/status')).toEqual({ sid: 'SM123' });
      expect(seen[0]!.url).toBe('/2010-04-01/Accounts/AC1/Messages.json');
      expect(seen[0]!.auth).toBe(`Basic ${Buffer.from('AC1:tok').toString('base64')}`);
      expect(seen[0]!.type).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(seen[0]!.form)).toEqual({
        To: '+447700900123',
        From: '+15005550006',
        Body: 'hello',
        StatusCallback: 'https://hub.example/sms/status',
      });
      status = 400;
      await expect(sms.send('+1', 'x', 'https://hub.example/sms/status')).rejects.toBeInstanceOf(SmsSendError);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('keeps texts within 160 characters, without links, even for long business names', () => {
    const text = alertText('The Extremely Long Name of a Bank https://evil.example Holdings', 'ABC234');
    expect(text.length).toBeLessThanOrEqual(MAX_SMS);
    expect(text).not.toMatch(/https?:|\.example/);
    expect(text).toMatch(/Reply YES if it was you, NO if not\.$/);
    expect(helpText('Sandbox Bank').length).toBeLessThanOrEqual(MAX_SMS);
  });
});
