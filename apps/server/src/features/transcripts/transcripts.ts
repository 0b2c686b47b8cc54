/**
 * Signed conversation transcripts for the business. A page's app asks for the transcript of
 * one of its conversations; the hub opens the messages through the vault (purpose
 * `deliver_to_business`, as that app: every opening is in the access log), leaves out what
 * the business is never told (the hub's own prompts and the customer's answers to them), and
 * signs the result with its signing key. The export itself is audited (`transcript.exported`).
 */
import {
  PlatformError,
  TRANSCRIPT_JWT_TYPE,
  type MessageBody,
  type TranscriptClaims,
  type TranscriptMessage,
  type TranscriptRequest,
  type TranscriptResponse,
} from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newSortableId } from '../../crypto/tokens.js';
import type { TokenPrincipal } from '../../http/graph-principal.js';
import { appendAudit } from '../../privacy/audit-log.js';
import { ContentErasedError, type Access } from '../../privacy/purposes.js';
import {
  findTranscriptConversation,
  inboxThreadOf,
  messagesInRange,
  personaNames,
  type TranscriptMessageRow,
} from './store.js';

/** `messages.messaging_type` of the hub's system lines ("Dana joined"): the business may see those. */
const SYSTEM_LINE_TYPE = 'CONFIDE_SYSTEM';
/** Payloads of the hub's own prompts (consent reminders): their answers never reach the business. */
const HUB_PAYLOAD_PREFIX = 'CONFIDE_';

export class Transcripts {
  readonly #ctx: HubContext;

  constructor(ctx: HubContext) {
    this.#ctx = ctx;
  }

  /**
   * The signed transcript of the conversation with `request.recipient.id`, the newest `limit`
   * messages in [since, until).
   * @throws PlatformError `NO_MATCHING_USER` when the PSID is not one of the page's customers.
   */
  async export(principal: TokenPrincipal, request: TranscriptRequest): Promise<TranscriptResponse> {
    const { db } = this.#ctx.storage;
    const conv = await findTranscriptConversation(db, principal.pageId, request.recipient.id);
    if (conv === undefined) throw new PlatformError('NO_MATCHING_USER');
    const since = request.since === undefined ? undefined : request.since * 1000;
    const until = request.until === undefined ? undefined : request.until * 1000;
    if (since !== undefined && until !== undefined && until <= since)
      throw new PlatformError('INVALID_PARAMETER', { message: 'until must be later than since' });
    // One more than asked for tells whether the range holds more.
    const rows = await messagesInRange(db, conv.id, { since, until, limit: request.limit + 1 });
    const truncated = rows.length > request.limit;
    const kept = truncated ? rows.slice(1) : rows;
    const personas = await personaNames(db, [...new Set(kept.flatMap((r) => r.persona_id ?? []))]);
    const access: Access = { purpose: 'deliver_to_business', actor: `app:${principal.appId}` };
    const messages: TranscriptMessage[] = [];
    for (const row of kept) {
      const message = await this.#present(access, conv.customer_id, row, personas);
      if (message !== undefined) messages.push(message);
    }
    const thread = await inboxThreadOf(db, conv.id);
    const now = this.#ctx.now();
    const claims: TranscriptClaims = {
      iss: this.#ctx.config.publicUrl,
      sub: conv.psid,
      iat: Math.floor(now / 1000),
      jti: newSortableId('tr'),
      page: { id: conv.page_id, name: conv.page_name },
      conversation: { started_at: conv.created_at, since: since ?? null, until: until ?? null },
      inbox:
        thread === undefined
          ? null
          : {
              status: thread.status,
              team: thread.team_name ?? null,
              agent: thread.agent_name ?? null,
              reason: thread.handover_reason,
              case_ref: thread.case_ref,
              queued_at: thread.queued_at,
              assigned_at: thread.assigned_at,
              resolved_at: thread.resolved_at,
            },
      messages,
      truncated,
    };
    const signingKeys = this.#ctx.signingKeys;
    await signingKeys.ensure();
    const transcript = await signingKeys.sign(claims, TRANSCRIPT_JWT_TYPE);
    await this.#ctx.storage.writes.run((tx) =>
      appendAudit(tx.db, {
        at: now,
        actor: `app:${principal.appId}`,
        action: 'transcript.exported',
        customerId: conv.customer_id,
        target: conv.id,
        purpose: 'deliver_to_business',
        details: { page: conv.page_id, messages: messages.length, truncated, jti: claims.jti },
      }),
    );
    return { transcript, message_count: messages.length, truncated };
  }

  async #present(
    access: Access,
    customerId: string,
    row: TranscriptMessageRow,
    personas: Map<string, string>,
  ): Promise<TranscriptMessage | undefined> {
    const system = row.messaging_type === SYSTEM_LINE_TYPE;
    // The hub's own prompts are between the hub and the customer.
    if (row.direction === 'out' && row.app_id === null && !system) return undefined;
    const message: TranscriptMessage = {
      mid: row.mid,
      created_at: row.created_at,
      from: row.direction === 'in' ? 'customer' : system ? 'hub' : 'page',
    };
    if (row.app_id !== null) message.app_id = row.app_id;
    const persona = row.persona_id === null ? undefined : personas.get(row.persona_id);
    if (persona !== undefined) message.persona = persona;
    if (row.tag !== null) message.tag = row.tag;
    if (row.notification_category !== null) message.notification_category = row.notification_category;
    if (row.answered_button !== null) message.answered_button = row.answered_button;
    let body: MessageBody;
    try {
      body = await this.#ctx.storage.vault.openMessage(access, customerId, row.body);
    } catch (err) {
      if (err instanceof ContentErasedError) return { ...message, erased: true };
      throw err;
    }
    if (row.direction === 'in' && answersHub(body)) return undefined;
    return { ...message, body };
  }
}

function answersHub(body: MessageBody): boolean {
  const payload = body.quick_reply?.payload ?? body.postback?.payload;
  return typeof payload === 'string' && payload.toUpperCase().startsWith(HUB_PAYLOAD_PREFIX);
}
