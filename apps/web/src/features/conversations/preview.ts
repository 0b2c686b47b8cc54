/** One-line summaries of messages, for the conversation list and notifications. */
import type { ChatMessage } from '@confide/protocol';
import { asObject, str } from '../../lib/payload';

export function messagePreview(m: ChatMessage): string {
  const b = m.body;
  if (b.text !== undefined && b.text !== '') return b.text;
  if (b.postback !== undefined) return b.postback.title;
  const attachment = b.attachment ?? b.attachments?.[0];
  if (attachment === undefined) return '';
  if (attachment.type === 'template') {
    const payload = asObject(attachment.payload);
    const kind = str(payload, 'template_type');
    if (kind === 'receipt') return `Receipt ${str(payload, 'order_number') ?? ''}`.trim();
    if (kind === 'button' || kind === 'utility' || kind === 'consent_request' || kind === 'consent_notice')
      return str(payload, 'text') ?? 'Message';
    if (kind === 'generic')
      return str(asObject((payload?.['elements'] as unknown[] | undefined)?.[0]), 'title') ?? 'Cards';
    return 'Message';
  }
  return { image: 'Photo', video: 'Video', audio: 'Audio', file: 'File' }[attachment.type];
}
