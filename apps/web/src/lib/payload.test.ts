import { beforeAll, describe, expect, it } from 'vitest';
import { attachmentUrl, safeUrl } from './payload';

beforeAll(() => {
  // payload.ts resolves relative URLs against the page's origin.
  (globalThis as { location?: unknown }).location ??= { origin: 'https://hub.example' };
});

describe('safeUrl', () => {
  it('keeps http(s) and same-origin paths, refuses script and data URLs', () => {
    expect(safeUrl('https://bank.example/x?y=1')).toBe('https://bank.example/x?y=1');
    expect(safeUrl('/api/attachments/a1')).toBe('/api/attachments/a1');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl(' JavaScript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,<script>1</script>')).toBeUndefined();
    expect(safeUrl(undefined)).toBeUndefined();
  });

  it('points hub-stored attachments at /api/attachments/:id', () => {
    expect(attachmentUrl({ attachment_id: 'a/b' })).toBe('/api/attachments/a%2Fb');
    expect(attachmentUrl({ url: 'https://cdn.example/p.png' })).toBe('https://cdn.example/p.png');
  });
});
