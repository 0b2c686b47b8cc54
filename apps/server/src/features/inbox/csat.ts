/**
 * Customer satisfaction after a resolve (INBOX_CSAT). The hub asks one question as a hub
 * message whose five quick replies carry the reserved prefix, the score and a random
 * single-use token (`CONFIDE_CSAT_<1-5>:<token>`); only the token's SHA-256 is stored, with
 * the question's row naming the conversation, the resolving agent and their team. The
 * customer's tap is intercepted in their send path (never forwarded as a message), recorded
 * once by a conditional update, thanked, audited and delivered to the page's apps as Meta's
 * `messaging_feedback` event. Businesses cannot send the prefix (consent/reserved-payloads.ts).
 */
import type { ChatMessage, MessageBody } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import { newId, randomSecret, sha256Hex } from '../../crypto/tokens.js';
import { appendAudit } from '../../privacy/audit-log.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { appendHubMessage, appendWebhook } from '../../timeline/index.js';
import { CSAT_PAYLOAD_PREFIX } from '../consent/hub-message.js';

type Conversation = { id: string; customer_id: string; page_id: string; psid: string };

const LABELS = ['1 😞', '2 🙁', '3 😐', '4 🙂', '5 😀'];
const ANSWER = new RegExp(`^${CSAT_PAYLOAD_PREFIX}([1-5]):([\\w-]{1,64})$`);

/** Asks the satisfaction question after `agent` resolved `conv` (inside the resolve's transaction). */
export async function askCsat(
  tx: WriteTx,
  ctx: HubContext,
  input: { conversation: Conversation; agentId: string; teamId: string | null; now: number },
): Promise<void> {
  const { conversation: conv, now } = input;
  const token = randomSecret(24);
  const id = newId('csat');
  await tx.db
    .insertInto('inbox_csat')
    .values({
      id,
      page_id: conv.page_id,
      conversation_id: conv.id,
      agent_id: input.agentId,
      team_id: input.teamId,
      token_hash: sha256Hex(token),
      asked_at: now,
    })
    .execute();
  await appendHubMessage(tx, ctx.bus, {
    conversation: conv,
    direction: 'out',
    body: {
      text: 'How satisfied are you with the help you got today? (1 = not at all, 5 = very)',
      quick_replies: LABELS.map((title, i) => ({
        content_type: 'text' as const,
        title,
        payload: `${CSAT_PAYLOAD_PREFIX}${i + 1}:${token}`,
      })),
    },
    now,
  });
  await appendAudit(tx.db, {
    at: now,
    actor: `agent:${input.agentId}`,
    action: 'inbox.csat_asked',
    customerId: conv.customer_id,
    target: id,
    details: { page: conv.page_id, conversation: conv.id },
  });
}

/**
 * Handles the customer's tap on a satisfaction answer: records it in the chat (a hub message,
 * not forwarded), stores the score once and answers. Returns undefined for any other message.
 */
export async function handleCsatPayload(
  tx: WriteTx,
  ctx: HubContext,
  input: { conversation: Conversation; body: MessageBody; now: number },
): Promise<ChatMessage | undefined> {
  const payload = input.body.quick_reply?.payload ?? input.body.postback?.payload;
  if (payload === undefined || !payload.startsWith(CSAT_PAYLOAD_PREFIX)) return undefined;
  const { conversation: conv, now } = input;
  const answer = await appendHubMessage(tx, ctx.bus, { conversation: conv, direction: 'in', body: input.body, now });
  const reply = await recordScore(tx, ctx, conv, ANSWER.exec(payload), now);
  await appendHubMessage(tx, ctx.bus, { conversation: conv, direction: 'out', body: { text: reply }, now });
  return answer;
}

async function recordScore(
  tx: WriteTx,
  ctx: HubContext,
  conv: Conversation,
  match: RegExpExecArray | null,
  now: number,
): Promise<string> {
  const invalid = 'Confide: this button is not valid (any more). Nothing was recorded.';
  if (match === null) return invalid;
  const score = Number(match[1]);
  const question = await tx.db
    .selectFrom('inbox_csat')
    .select(['id', 'agent_id', 'team_id', 'score'])
    .where('token_hash', '=', sha256Hex(match[2] ?? ''))
    .where('conversation_id', '=', conv.id)
    .executeTakeFirst();
  if (question === undefined) return invalid;
  // Conditional on "not answered yet": one answer per question, even under concurrent taps.
  const updated = await tx.db
    .updateTable('inbox_csat')
    .set({ score, answered_at: now })
    .where('id', '=', question.id)
    .where('score', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return 'Your answer was already recorded. Thank you!';
  await appendAudit(tx.db, {
    at: now,
    actor: 'customer',
    action: 'inbox.csat_answered',
    customerId: conv.customer_id,
    target: question.id,
    details: { page: conv.page_id, conversation: conv.id, agent: question.agent_id, team: question.team_id, score },
  });
  await appendWebhook(tx, ctx.bus, {
    pageId: conv.page_id,
    conversationId: conv.id,
    customerId: conv.customer_id,
    psid: conv.psid,
    field: 'messaging_feedback',
    item: {
      messaging_feedback: {
        feedback_screens: [{ screen_id: 0, questions: { [question.id]: { type: 'csat', payload: String(score) } } }],
      },
    },
    threadOwnerAppId: null,
    timestamp: now,
  });
  return 'Thank you for your feedback!';
}
