/** A one-line rendering of any message body for agents (templates and files are summarised). */
import type { MessageBody } from '@confide/protocol';

export function bodyText(body: MessageBody): string {
  if (body.text !== undefined && body.text !== '') return body.text;
  if (body.postback !== undefined) return body.postback.title;
  const attachments = body.attachments ?? (body.attachment === undefined ? [] : [body.attachment]);
  const first = attachments[0];
  if (first === undefined) return '(empty message)';
  if (first.type !== 'template') return `(${first.type})`;
  // A utility message carries its filled-in text; a button template is mostly its text (a
  // fraud alert's question), which agents need to read; other templates are summarised.
  const kind = first.payload['template_type'];
  const text = kind === 'utility' || kind === 'button' ? first.payload['text'] : undefined;
  return typeof text === 'string' && text !== '' ? text : '(template)';
}
