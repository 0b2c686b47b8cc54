/** Finds the `account_link` buttons of a business message (button and generic templates). */
import type { MessageBody } from '@confide/protocol';

/** The `url` of every `account_link` button in the message. */
export function accountLinkUrls(body: MessageBody): string[] {
  const attachments = body.attachments ?? (body.attachment === undefined ? [] : [body.attachment]);
  const urls: string[] = [];
  for (const attachment of attachments) {
    if (attachment.type !== 'template') continue;
    const payload = attachment.payload;
    collect(payload['buttons'], urls);
    const elements = payload['elements'];
    if (Array.isArray(elements))
      for (const element of elements) collect((element as Record<string, unknown> | null)?.['buttons'], urls);
  }
  return urls;
}

function collect(buttons: unknown, into: string[]): void {
  if (!Array.isArray(buttons)) return;
  for (const button of buttons as Array<Record<string, unknown> | null>) {
    if (button?.['type'] === 'account_link' && typeof button['url'] === 'string') into.push(button['url']);
  }
}

/**
 * Appends the linking parameters to the business URL: `?` or `&` as needed, before any
 * fragment. `redirect_uri` is URL-encoded and itself already contains a `?`.
 */
export function businessLinkUrl(businessUrl: string, token: string, redirectUri: string): string {
  const hashAt = businessUrl.indexOf('#');
  const base = hashAt === -1 ? businessUrl : businessUrl.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : businessUrl.slice(hashAt);
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}account_linking_token=${encodeURIComponent(token)}&redirect_uri=${encodeURIComponent(redirectUri)}${hash}`;
}
