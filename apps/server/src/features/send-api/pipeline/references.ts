/**
 * Step "references" — what the message refers to, checked without writing: `reply_to` must
 * be a message of this conversation; an `attachment_id` must be an attachment of this page
 * (another page's id looks unknown) that may go to this conversation (a single-use file
 * already sent to another conversation looks unknown); a media attachment without a URL or
 * an id needs the request's `filedata` part, which serves one attachment. The rows found
 * are handed to the stage step (stage-attachments.ts), which writes only after every check.
 */
import { PlatformError, type MediaAttachment, type OutgoingMessage } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { AttachmentsTable, Database } from '../../../storage/schema.js';
import { findPageAttachment } from '../../attachments/attachments.js';
import { findMessageInPage, type ConversationRow } from '../../conversations/index.js';

/** Attachment rows the message names by id, by parameter path (`message.attachments.1`). */
export type References = ReadonlyMap<string, AttachmentsTable>;

export interface ReferencesInput {
  pageId: string;
  conv: Pick<ConversationRow, 'id' | 'page_id'>;
  message: OutgoingMessage;
  replyTo: string | undefined;
  /** Whether the request carried a file for the message (staged before the transaction). */
  hasFile: boolean;
}

/** `reply_to` names a message of this conversation (another conversation's looks unknown). */
export async function assertReplyTo(
  db: Kysely<Database>,
  conv: Pick<ConversationRow, 'id' | 'page_id'>,
  mid: string,
): Promise<{ mid: string }> {
  const quoted = await findMessageInPage(db, conv.page_id, mid);
  if (quoted === undefined || quoted.conversation_id !== conv.id) {
    throw new PlatformError('INVALID_PARAMETER', {
      message: 'param reply_to[mid] does not match a message of this conversation',
      detail: { param: 'reply_to.mid' },
    });
  }
  return { mid };
}

/** @throws PlatformError 100 naming the parameter that refers to nothing usable. */
export async function checkReferences(db: Kysely<Database>, input: ReferencesInput): Promise<References> {
  const { conv } = input;
  if (input.replyTo !== undefined) await assertReplyTo(db, conv, input.replyTo);
  const rows = new Map<string, AttachmentsTable>();
  let fileLeft = input.hasFile;
  for (const [param, media] of mediaOf(input.message)) {
    const { payload } = media;
    if (payload.attachment_id !== undefined) {
      const row = await findPageAttachment(db, input.pageId, payload.attachment_id);
      if (row === undefined || !(await maySendFileTo(db, row, conv.id))) {
        throw new PlatformError('INVALID_PARAMETER', {
          message: `param ${bracket(param)}[payload][attachment_id] is not a valid attachment`,
          detail: { param: `${param}.payload.attachment_id` },
        });
      }
      rows.set(param, row);
    } else if (payload.url === undefined) {
      if (!fileLeft) {
        throw new PlatformError('INVALID_PARAMETER', {
          message: `param ${bracket(param)}[payload][url], attachment_id or a filedata part is required`,
          detail: { param: `${param}.payload` },
        });
      }
      fileLeft = false;
    }
  }
  return rows;
}

/** What a message that quotes nothing and names no media refers to (shared: never changed). */
export const NO_REFERENCES: References = new Map();

/** The message's media attachments with their parameter paths, in the order the body lists them. */
export function mediaOf(message: OutgoingMessage): Array<[string, MediaAttachment]> {
  const out: Array<[string, MediaAttachment]> = [];
  if (message.attachment !== undefined && message.attachment.type !== 'template')
    out.push(['message.attachment', message.attachment]);
  for (const [i, a] of (message.attachments ?? []).entries()) out.push([`message.attachments.${i}`, a]);
  return out;
}

/**
 * Whether `Attachments.shareWith` will let the file go to this conversation, read only: a
 * URL reference, a file the page still holds a key copy of (reusable, or single-use and not
 * sent yet), one this conversation holds already, or a file stored before per-file keys
 * (no copies at all). A single-use file sent to another conversation cannot.
 */
async function maySendFileTo(db: Kysely<Database>, row: AttachmentsTable, conversationId: string): Promise<boolean> {
  if (row.blob_key === null || row.key_enc !== null) return true;
  const holders = await db
    .selectFrom('attachment_keys')
    .select('conversation_id')
    .where('attachment_id', '=', row.id)
    .execute();
  return holders.length === 0 || holders.some((h) => h.conversation_id === conversationId);
}

export function bracket(path: string): string {
  const [head, ...rest] = path.split('.');
  return `${head}${rest.map((p) => `[${p}]`).join('')}`;
}
