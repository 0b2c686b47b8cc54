/**
 * What the Send API's steps share (send-steps.ts): the hub's services, and the state of one
 * send, which each step reads and adds to. Every field but the request's is filled by one
 * step; `need` reads a field an earlier step of the row must have filled.
 */
import type { ChatMessage, MessageBody, SendMessageResponse, SenderActionResponse } from '@confide/protocol';
import type { Kysely } from 'kysely';
import type { HubContext } from '../../../context.js';
import type { UploadedFile } from '../../../http/graph-types.js';
import type { Database } from '../../../storage/schema.js';
import type { WriteTx } from '../../../storage/write-queue.js';
import type { Attachments } from '../../attachments/attachments.js';
import type { RecipientRow } from '../../conversations/index.js';
import type { TokenPrincipal } from '../../pages/pages.js';
import type { PageRateLimiter } from '../rate-limit.js';
import type { RecipientKeys } from '../warm-keys.js';
import type { SendCommand } from './parse-send.js';
import type { References } from './references.js';
import type { StagedFile } from './stage-attachments.js';
import type { SendTerms } from './terms.js';

export type SendAnswer = SendMessageResponse | SenderActionResponse;

/**
 * Who sends, and the file sent with it: what a send needs besides its command. The Graph
 * endpoint takes it from the request (token, multipart part); a sender inside the hub (the
 * agent inbox, as the page inbox app) states it.
 */
export interface SendRequest {
  readonly principal: TokenPrincipal;
  readonly file: UploadedFile | undefined;
}

/** What a send ends with: the answer, and the message it appended (none for a sender action). */
export interface SendOutcome {
  readonly answer: SendAnswer;
  readonly message: ChatMessage | undefined;
}

/** The services the steps use. */
export interface SendEnv {
  readonly ctx: HubContext;
  readonly attachments: Attachments;
  readonly limiter: PageRateLimiter;
  readonly keys: RecipientKeys;
}

/** The message the append step records: its stored body and send metadata. */
export interface Draft {
  body: MessageBody;
  messagingType: string;
  tag: string | null;
  notificationCategory: string | null;
  awaitsAnswer: boolean;
  /** Attachments to link to the message. */
  linked: readonly string[];
  /** Answered as `attachment_id` (a URL or file sent with `is_reusable`). */
  reusableId: string | undefined;
}

export interface SendState {
  readonly request: SendRequest;
  /** parse */
  readonly cmd: SendCommand;
  /** authenticate */
  principal?: TokenPrincipal;
  /** parse (a utility send: template) */
  terms?: SendTerms;
  /** upload file: a multipart file written to the blob store, waiting for its row. */
  staged?: StagedFile;
  /** Set by the runner for the checks and effects: the write transaction (none for a send that writes nothing). */
  tx?: WriteTx;
  /** The transaction's handle, or the pool's for a send that writes nothing. */
  db: Kysely<Database>;
  /** The send's time, taken when its checks start. */
  now: number;
  /** recipient */
  conv?: RecipientRow;
  /** references */
  refs?: References;
  /** template (utility), stage attachments (message) */
  draft?: Draft;
  /** The last step's answer. */
  answer?: SendAnswer;
  /** append: the message as the customer's stream shows it. */
  message?: ChatMessage;
  /** Undone when the send fails (a staged blob is deleted). */
  readonly undo: Array<() => Promise<void>>;
}

/** Where a step runs and what it may do. */
export type StepPhase =
  /** Before the write transaction: no database write (the blob of a staged file, warm keys). */
  | 'request'
  /** In the transaction: reads and refuses, writes nothing. */
  | 'check'
  /** In the transaction, after every check: writes (or publishes). */
  | 'effect';

export interface SendStep {
  readonly name: string;
  readonly phase: StepPhase;
  run(state: SendState, env: SendEnv): Promise<void> | void;
}

/** A field an earlier step of the row fills; a row in the wrong order fails loudly. */
export function need<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`Send API step order: ${field} is not known yet`);
  return value;
}
