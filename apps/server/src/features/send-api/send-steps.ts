/**
 * The Send API as one table of steps (STYLE convention 4). Every send is parsed first; the
 * parsed command picks its row; the runner (run-send.ts) runs the row's `request` steps,
 * then, in one write transaction, its checks and, only after every check, its effects:
 *
 *   parse → (reserved payloads) → authenticate → recipient → references | template → thread owner → window and tag
 *         → consent → rate limit → stage attachments → append
 *
 * A utility template send swaps `references` for `template` (its body and consent category
 * come from the template) and stages nothing; sender actions append no message: typing is a
 * frame on the customer's stream (no transaction), mark_seen a read receipt.
 */
import type { HubContext } from '../../context.js';
import type { GraphCall } from '../../http/graph-request.js';
import { assertNoReservedPayload } from '../consent/reserved-payloads.js';
import { awaitsAnswer } from '../conversations/index.js';
import { assertMaySend } from '../handover/thread-owner.js';
import { fillTemplate } from '../templates/fill-template.js';
import { appendMessage, markSeen, publishTyping } from './append-steps.js';
import { assertSendConsent } from './pipeline/check-consent.js';
import { assertWindowAndTag } from './pipeline/check-window.js';
import { assertPersona, loadRecipient, recipientAhead } from './pipeline/load-recipient.js';
import { parseSendRequest, type SendCommand } from './pipeline/parse-send.js';
import { assertReplyTo, checkReferences, mediaOf, NO_REFERENCES } from './pipeline/references.js';
import { need, type Draft, type SendRequest, type SendState, type SendStep } from './pipeline/send-state.js';
import { stageAttachments, type BuiltBody } from './pipeline/stage-attachments.js';
import { termsOf } from './pipeline/terms.js';

export type SendVariant = 'message' | 'utility' | 'typing' | 'markSeen';

export interface SendRow {
  readonly steps: readonly SendStep[];
  /** Whether the checks and effects run in a write transaction (typing writes nothing). */
  readonly transaction: boolean;
  /** Whether the transaction reads its recipient ahead with the other jobs of its group commit. */
  readonly readAhead: boolean;
  /**
   * Whether its timeline append joins the group commit's set-based batch (storage/write-queue.ts
   * `setBased`): nothing after the append reads the rows it appends, the answer needs no cursor.
   */
  readonly setBased?: boolean;
  /** Whether the page's send counters count it (sender actions are not counted). */
  readonly counted: boolean;
}

/** Parse: the request into a command (pipeline/parse-send.ts); it picks the row. */
export function parseSend(ctx: HubContext, call: GraphCall): SendCommand {
  return parseSendRequest(call.params, {
    allowLoopbackHttp: ctx.config.NODE_ENV !== 'production',
    legacyTags: ctx.config.MESSENGER_TAGS === 'legacy',
  });
}

export function variantOf(cmd: SendCommand): SendVariant {
  if (cmd.kind === 'action') return cmd.action === 'mark_seen' ? 'markSeen' : 'typing';
  return cmd.kind;
}

/** The initial state of a send: its request, its command and, except for a utility send, its terms. */
export function startState(request: SendRequest, cmd: SendCommand, ctx: HubContext): SendState {
  const state: SendState = { request, cmd, db: ctx.storage.db, now: ctx.now(), undo: [] };
  if (cmd.kind !== 'utility') state.terms = termsOf(cmd);
  return state;
}

function messageCmd(s: SendState): Extract<SendCommand, { kind: 'message' }> {
  if (s.cmd.kind !== 'message') throw new Error(`Send API step order: a ${s.cmd.kind} send has no message`);
  return s.cmd;
}

/** The principal the Graph plumbing verified (page token, appsecret_proof; http/graph-request.ts) or the in-process sender's. */
const authenticate: SendStep = {
  name: 'authenticate',
  phase: 'request',
  run: (s) => void (s.principal = s.request.principal),
};

/** The hub's consent-prompt payloads are never the business's to send (features/consent/reserved-payloads.ts). */
const reservedPayloads: SendStep = {
  name: 'reserved payloads',
  phase: 'request',
  run: (s) => assertNoReservedPayload(messageCmd(s).message, 'message'),
};

const warmKeys: SendStep = {
  name: 'warm keys',
  phase: 'request',
  run: (s, env) => env.keys.warm(need(s.principal, 'principal').pageId, s.cmd.psid),
};

/** A multipart `filedata` part for `message.attachment` is sealed into the blob store before the transaction; deleted if the send fails. */
const uploadFile: SendStep = {
  name: 'upload file',
  phase: 'request',
  // Not async: a send without a file (nearly all) costs no promise here.
  run(s, env) {
    const a = messageCmd(s).message.attachment;
    const file = s.request.file;
    if (a === undefined || a.type === 'template' || a.payload.url !== undefined) return;
    if (a.payload.attachment_id !== undefined || file === undefined) return;
    return env.attachments.stage(file).then((blobKey) => {
      s.staged = { file, blobKey };
      s.undo.push(() => env.attachments.blobs.delete(blobKey).catch(() => undefined));
    });
  },
};

const recipient: SendStep = {
  name: 'recipient',
  phase: 'check',
  run(s) {
    const { pageId } = need(s.principal, 'principal');
    const ahead = s.tx?.ahead;
    // Read ahead with the transaction's other sends and without a persona: nothing to await.
    if (ahead !== undefined && s.cmd.personaId === undefined) return void (s.conv = recipientAhead(ahead));
    return (async () => {
      s.conv = await loadRecipient(s.db, pageId, s.cmd.psid, ahead);
      await assertPersona(s.db, pageId, s.cmd.personaId);
    })();
  },
};

const references: SendStep = {
  name: 'references',
  phase: 'check',
  run(s) {
    const cmd = messageCmd(s);
    // A message that quotes nothing and names no media (a text, a template) refers to nothing.
    if (cmd.replyTo === undefined && mediaOf(cmd.message).length === 0) return void (s.refs = NO_REFERENCES);
    return checkReferences(s.db, {
      pageId: need(s.principal, 'principal').pageId,
      conv: need(s.conv, 'recipient'),
      message: cmd.message,
      replyTo: cmd.replyTo,
      hasFile: s.staged !== undefined,
    }).then((refs) => void (s.refs = refs));
  },
};

/** A utility send's body, terms and consent category, from its approved template (features/templates). */
const template: SendStep = {
  name: 'template',
  phase: 'check',
  async run(s) {
    if (s.cmd.kind !== 'utility') throw new Error('Send API step order: template needs a utility send');
    const { message, personaId } = s.cmd;
    const filled = await fillTemplate(s.db, need(s.principal, 'principal').pageId, message);
    const body = {
      attachment: { type: 'template' as const, payload: { ...filled.payload } },
      ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
      // A notice that closes a question quotes it (the question's outcome, answered elsewhere…).
      ...(s.cmd.replyTo === undefined
        ? {}
        : { reply_to: await assertReplyTo(s.db, need(s.conv, 'recipient'), s.cmd.replyTo) }),
    };
    assertNoReservedPayload(body, 'message');
    s.terms = { kind: 'message', messagingType: 'UTILITY', category: filled.category, personaId };
    s.terms.template = message.template.name;
    s.draft = {
      body,
      messagingType: 'UTILITY',
      tag: null,
      notificationCategory: filled.category,
      // A utility message always has a category: with a postback button it is a question.
      awaitsAnswer: (filled.payload.buttons ?? []).some((b) => b.type === 'postback'),
      linked: [],
      reusableId: undefined,
    };
  },
};

const threadOwner: SendStep = {
  name: 'thread owner',
  phase: 'check',
  run: (s) =>
    assertMaySend(s.db, need(s.conv, 'recipient'), need(s.principal, 'principal').appId, need(s.terms, 'terms')),
};

const windowAndTag: SendStep = {
  name: 'window and tag',
  phase: 'check',
  run: (s) => assertWindowAndTag(need(s.conv, 'recipient'), need(s.terms, 'terms'), s.now),
};

const consent: SendStep = {
  name: 'consent',
  phase: 'check',
  run: (s) => assertSendConsent(s.db, need(s.conv, 'recipient'), need(s.terms, 'terms'), s.now),
};

/** Spends one of the page's sends per second (613 past it); a rerun transaction spends again (storage/write-queue.ts). */
const rateLimit: SendStep = {
  name: 'rate limit',
  phase: 'check',
  run: (s, env) => env.limiter.take(need(s.principal, 'principal').pageId, s.now),
};

const stage: SendStep = {
  name: 'stage attachments',
  phase: 'effect',
  run(s, env) {
    const cmd = messageCmd(s);
    const built = stageAttachments(need(s.tx, 'transaction'), {
      principal: need(s.principal, 'principal'),
      conv: need(s.conv, 'recipient'),
      message: cmd.message,
      replyTo: cmd.replyTo,
      refs: need(s.refs, 'references'),
      staged: s.staged,
      attachments: env.attachments,
    });
    // A body without media is built at once: no promise.
    if (built instanceof Promise) return built.then((b) => void (s.draft = draftOf(cmd, b)));
    return void (s.draft = draftOf(cmd, built));
  },
};

function draftOf(cmd: Extract<SendCommand, { kind: 'message' }>, built: BuiltBody): Draft {
  return {
    body: built.body,
    messagingType: cmd.messagingType,
    tag: cmd.tag ?? null,
    notificationCategory: cmd.messagingType === 'MESSAGE_TAG' ? (cmd.category ?? null) : null,
    awaitsAnswer: awaitsAnswer(cmd.message, cmd),
    linked: built.linked,
    reusableId: built.reusableId,
  };
}

/** The table: one row per kind of send, each step named once above. */
export const SEND_TABLE: Readonly<Record<SendVariant, SendRow>> = {
  message: {
    steps: [
      reservedPayloads,
      authenticate,
      warmKeys,
      uploadFile,
      recipient,
      references,
      threadOwner,
      windowAndTag,
      consent,
      rateLimit,
      stage,
      appendMessage,
    ],
    transaction: true,
    readAhead: true,
    setBased: true,
    counted: true,
  },
  utility: {
    steps: [authenticate, warmKeys, recipient, template, threadOwner, windowAndTag, consent, rateLimit, appendMessage],
    transaction: true,
    readAhead: true,
    setBased: true,
    counted: true,
  },
  typing: {
    steps: [authenticate, recipient, threadOwner, windowAndTag, rateLimit, publishTyping],
    transaction: false,
    readAhead: false,
    setBased: false,
    counted: false,
  },
  markSeen: {
    steps: [authenticate, recipient, threadOwner, windowAndTag, rateLimit, markSeen],
    transaction: true,
    readAhead: false,
    setBased: false,
    counted: false,
  },
};
