/**
 * Step "stage attachments" — the first step that writes, run after every check: builds the
 * stored body and writes what its attachments need. URL attachments sent with
 * `is_reusable` and the request's file become attachment rows; each file's key is wrapped
 * for this conversation (features/attachments), so the customer (and only they) can open
 * it. Returns the attachments to link to the message once it is appended.
 */
import { PlatformError, type MediaAttachment, type MessageBody, type OutgoingMessage } from '@confide/protocol';
import type { UploadedFile } from '../../../http/graph-request.js';
import type { WriteTx } from '../../../storage/write-queue.js';
import { attachmentPayload, type Attachments } from '../../attachments/attachments.js';
import type { ConversationRow } from '../../conversations/index.js';
import type { TokenPrincipal } from '../../pages/pages.js';
import { bracket, mediaOf, type References } from './references.js';

export interface BuiltBody {
  body: MessageBody;
  /** Attachment ids to link to the stored message. */
  linked: string[];
  /** Returned to the sender when a URL or file was sent with `is_reusable`. */
  reusableId: string | undefined;
}

/** A multipart file already written to the blob store (ciphertext, reachable by no row yet). */
export interface StagedFile {
  file: UploadedFile;
  blobKey: string;
}

export interface StageInput {
  principal: TokenPrincipal;
  conv: ConversationRow;
  message: OutgoingMessage;
  replyTo: string | undefined;
  refs: References;
  staged: StagedFile | undefined;
  attachments: Attachments;
}

/** The stored body; a promise only when there are media to stage (a text or template writes nothing here). */
export function stageAttachments(tx: WriteTx, input: StageInput): BuiltBody | Promise<BuiltBody> {
  const { message } = input;
  const body: MessageBody = {};
  const out: BuiltBody = { body, linked: [], reusableId: undefined };
  if (input.replyTo !== undefined) body.reply_to = { mid: input.replyTo };
  if (message.text !== undefined) body.text = message.text;
  if (message.attachment?.type === 'template')
    body.attachment = { type: 'template', payload: message.attachment.payload };
  const media = mediaOf(message);
  if (media.length === 0) return finishBody(message, out);
  return (async () => {
    let staged = input.staged;
    for (const [param, attachment] of media) {
      const built = await stageOne(tx, input, attachment, param, staged, out);
      if (built.usedFile) staged = undefined;
      if (param === 'message.attachment') body.attachment = built.media;
      else (body.attachments ??= []).push(built.media);
    }
    return finishBody(message, out);
  })();
}

/** The body's fields after its media, in the order the stored body has always listed them. */
function finishBody(message: OutgoingMessage, out: BuiltBody): BuiltBody {
  const { body } = out;
  if (message.attachments !== undefined) body.attachments ??= [];
  if (message.quick_replies !== undefined) body.quick_replies = message.quick_replies;
  if (message.metadata !== undefined) body.metadata = message.metadata;
  return out;
}

type StoredMedia = { type: MediaAttachment['type']; payload: Record<string, unknown> };

async function stageOne(
  tx: WriteTx,
  input: StageInput,
  attachment: MediaAttachment,
  param: string,
  staged: StagedFile | undefined,
  out: BuiltBody,
): Promise<{ media: StoredMedia; usedFile: boolean }> {
  const { type, payload } = attachment;
  const row = input.refs.get(param);
  if (row !== undefined) {
    // The references step found that the file may go here; sharing wraps its key for the conversation.
    if (!(await input.attachments.shareWith(tx, row, input.conv))) throw notValid(param);
    out.linked.push(row.id);
    return { media: { type, payload: attachmentPayload(row) }, usedFile: false };
  }
  const reusable = payload.is_reusable === true;
  if (payload.url !== undefined) {
    if (!reusable) return { media: { type, payload: { url: payload.url } }, usedFile: false };
    const source = { kind: 'url', url: payload.url } as const;
    const inserted = await input.attachments.insert(tx, input.principal, type, source, true, null);
    out.linked.push(inserted.id);
    out.reusableId = inserted.id;
    return { media: { type, payload: attachmentPayload(inserted) }, usedFile: false };
  }
  // Checked by the references step: the request's one file serves this attachment.
  if (staged === undefined) throw new Error('stage attachments: no staged file for a checked attachment');
  const source = { kind: 'file', file: staged.file } as const;
  const inserted = await input.attachments.insert(tx, input.principal, type, source, reusable, staged.blobKey);
  await input.attachments.shareWith(tx, inserted, input.conv);
  out.linked.push(inserted.id);
  if (reusable) out.reusableId = inserted.id;
  return { media: { type, payload: attachmentPayload(inserted) }, usedFile: true };
}

function notValid(param: string): PlatformError {
  return new PlatformError('INVALID_PARAMETER', {
    message: `param ${bracket(param)}[payload][attachment_id] is not a valid attachment`,
    detail: { param: `${param}.payload.attachment_id` },
  });
}
