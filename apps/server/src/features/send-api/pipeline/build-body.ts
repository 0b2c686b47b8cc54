/**
 * Step 3 — resolve what the message refers to and build the stored body: `reply_to` must
 * be a message of this conversation; `attachment_id`s must belong to this page (another
 * page's id looks unknown); URL attachments sent with `is_reusable` and multipart files
 * become attachment rows. Returns the attachments to link to the message, so the
 * customer (and only they) can open them; each file's key is wrapped for this
 * conversation (features/attachments). A single-use file already sent to another
 * conversation looks unknown.
 */
import { PlatformError, type MediaAttachment, type MessageBody, type OutgoingMessage } from '@confide/protocol';
import type { UploadedFile } from '../../../http/graph-request.js';
import type { WriteTx } from '../../../storage/write-queue.js';
import { attachmentPayload, findPageAttachment, type Attachments } from '../../attachments/attachments.js';
import { findMessageInPage, type ConversationRow } from '../../conversations/store.js';
import type { TokenPrincipal } from '../../pages/pages.js';

export interface BuiltBody {
  body: MessageBody;
  /** Attachment ids to link to the stored message. */
  linked: string[];
  /** Returned to the sender when a URL or file was sent with `is_reusable`. */
  reusableId: string | undefined;
}

/** A multipart file already written to the blob store, waiting for its row. */
export interface StagedFile {
  file: UploadedFile;
  blobKey: string;
}

export interface BuildBodyInput {
  principal: TokenPrincipal;
  conv: ConversationRow;
  message: OutgoingMessage;
  replyTo: string | undefined;
  staged: StagedFile | undefined;
  attachments: Attachments;
}

/** `reply_to` names a message of this conversation (another conversation's looks unknown). */
export async function assertReplyTo(tx: WriteTx, conv: ConversationRow, mid: string): Promise<{ mid: string }> {
  const quoted = await findMessageInPage(tx.db, conv.page_id, mid);
  if (quoted === undefined || quoted.conversation_id !== conv.id) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: 'param reply_to[mid] does not match a message of this conversation',
      detail: { param: 'reply_to.mid' },
    });
  }
  return { mid };
}

export async function buildMessageBody(tx: WriteTx, input: BuildBodyInput): Promise<BuiltBody> {
  const { message, conv } = input;
  const body: MessageBody = {};
  const out: BuiltBody = { body, linked: [], reusableId: undefined };
  if (input.replyTo !== undefined) body.reply_to = await assertReplyTo(tx, conv, input.replyTo);
  if (message.text !== undefined) body.text = message.text;
  if (message.attachment?.type === 'template')
    body.attachment = { type: 'template', payload: message.attachment.payload };
  else if (message.attachment !== undefined)
    body.attachment = await media(tx, input, message.attachment, out, 'message.attachment');
  if (message.attachments !== undefined) {
    body.attachments = [];
    for (const [i, a] of message.attachments.entries())
      body.attachments.push(await media(tx, input, a, out, `message.attachments.${i}`));
  }
  if (message.quick_replies !== undefined) body.quick_replies = message.quick_replies;
  if (message.metadata !== undefined) body.metadata = message.metadata;
  return out;
}

async function media(
  tx: WriteTx,
  input: BuildBodyInput,
  attachment: MediaAttachment,
  out: BuiltBody,
  param: string,
): Promise<{ type: MediaAttachment['type']; payload: Record<string, unknown> }> {
  const { type, payload } = attachment;
  if (payload.attachment_id !== undefined) {
    const row = await findPageAttachment(tx.db, input.principal.pageId, payload.attachment_id);
    if (row === undefined || !(await input.attachments.shareWith(tx, row, input.conv))) {
      throw new PlatformError('INVALID_PARAMETER', {
        message: `param ${bracket(param)}[payload][attachment_id] is not a valid attachment`,
        detail: { param: `${param}.payload.attachment_id` },
      });
    }
    out.linked.push(row.id);
    return { type, payload: attachmentPayload(row) };
  }
  const reusable = payload.is_reusable === true;
  if (payload.url !== undefined) {
    if (!reusable) return { type, payload: { url: payload.url } };
    const row = await input.attachments.insert(
      tx,
      input.principal,
      type,
      { kind: 'url', url: payload.url },
      true,
      null,
    );
    out.linked.push(row.id);
    out.reusableId = row.id;
    return { type, payload: attachmentPayload(row) };
  }
  // One filedata part serves one attachment; it is consumed below.
  if (input.staged === undefined) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: `param ${bracket(param)}[payload][url], attachment_id or a filedata part is required`,
      detail: { param: `${param}.payload` },
    });
  }
  const row = await input.attachments.insert(
    tx,
    input.principal,
    type,
    { kind: 'file', file: input.staged.file },
    reusable,
    input.staged.blobKey,
  );
  await input.attachments.shareWith(tx, row, input.conv);
  out.linked.push(row.id);
  if (reusable) out.reusableId = row.id;
  input.staged = undefined;
  return { type, payload: attachmentPayload(row) };
}

function bracket(path: string): string {
  const [head, ...rest] = path.split('.');
  return `${head}${rest.map((p) => `[${p}]`).join('')}`;
}
