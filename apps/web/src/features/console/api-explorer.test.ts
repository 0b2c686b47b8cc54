import { describe, expect, it } from 'vitest';
import { curlOf } from './api-explorer';

describe('API explorer curl', () => {
  it('quotes for a POSIX shell and never includes the token', () => {
    const curl = curlOf('http://hub.test', {
      method: 'POST',
      path: '/v25.0/me/messages',
      body: { message: { text: "it's $HOME; `id`" } },
    });
    expect(curl).toBe(
      [
        "curl -X POST 'http://hub.test/v25.0/me/messages'",
        "  -H 'Authorization: Bearer $PAGE_TOKEN'",
        "  -H 'content-type: application/json'",
        `  -d '{"message":{"text":"it'\\''s $HOME; \`id\`"}}'`,
      ].join(' \\\n'),
    );
  });
});
