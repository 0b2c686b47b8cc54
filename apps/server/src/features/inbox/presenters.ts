/** The inbox API's wire shapes: the PSID and allowed profile fields only, never the customer id. */
import type {
  ChatMessage,
  InboxAgent,
  InboxMessage,
  InboxQueueItem,
  InboxSlaState,
  MessagePersona,
} from '@confide/protocol';
import type { Vault } from '../../privacy/vault.js';
import { SYSTEM_LINE_TYPE } from '../../timeline/index.js';
import type { MediaLinks } from '../media/media-links.js';
import { personaOf } from '../../timeline/personas.js';
import { answeredPostback, type MessageRow } from '../conversations/index.js';
import type { Agent } from './agents.js';
import type { InboxConversationRow } from './inbox-store.js';

export function presentAgent(agent: Agent): InboxAgent {
  return {
    id: agent.id,
    username: agent.username,
    display_name: agent.display_name,
    page: { id: agent.page_id, name: agent.page_name },
    team: agent.team_id === null ? null : { id: agent.team_id, name: agent.team_name ?? '' },
    role: agent.role === 'supervisor' ? 'supervisor' : 'agent',
    status: agent.status === 'online' || agent.status === 'away' ? agent.status : 'offline',
    capacity: agent.capacity,
  };
}

/**
 * A message as the customer sees it, opened through the one content path for agent support:
 * the persona it was sent under (`personasOfRows`), a question's answer, system lines;
 * external image URLs become proxy links minted for the agent.
 */
export async function presentInboxMessage(
  vault: Vault,
  agentId: string,
  customerId: string,
  row: MessageRow,
  personas: Map<string, MessagePersona>,
  links: MediaLinks,
): Promise<InboxMessage> {
  const body = await vault.openMessage({ purpose: 'agent_support', actor: `agent:${agentId}` }, customerId, row.body);
  const message: InboxMessage = {
    mid: row.mid,
    conversation_id: row.conversation_id,
    direction: row.direction,
    created_at: row.created_at,
    body,
    tag: row.tag,
    persona: personaOf(row, personas),
  };
  if (row.messaging_type === SYSTEM_LINE_TYPE) message.system = true;
  if (row.notification_category !== null) message.notification_category = row.notification_category;
  if (row.awaits_answer === 1) {
    const answered = answeredPostback(row, body);
    message.awaits_answer = answered === null && row.closed_at === null;
    message.answered_postback = answered;
  }
  return links.message({ kind: 'agent', id: agentId }, message);
}

/**
 * A message the agent just sent, as `presentInboxMessage` shows it once stored, made from the
 * message the kernel appended (its body already masked): nothing is re-read or opened again.
 */
export function presentSentMessage(agentId: string, sent: ChatMessage, links: MediaLinks): InboxMessage {
  const message: InboxMessage = {
    mid: sent.mid,
    conversation_id: sent.conversation_id,
    direction: sent.direction,
    created_at: sent.created_at,
    body: sent.body,
    tag: sent.tag ?? null,
    persona: sent.persona ?? null,
  };
  if (sent.system === true) message.system = true;
  if (sent.notification_category != null) message.notification_category = sent.notification_category;
  // Just sent: a question is not answered yet.
  if (sent.awaits_answer === true) {
    message.awaits_answer = true;
    message.answered_postback = null;
  }
  return links.message({ kind: 'agent', id: agentId }, message);
}

/** A queue entry; a snooze whose time is up shows as assigned (or open) again. */
export function presentQueueItem(
  row: InboxConversationRow,
  lastMessage: InboxMessage | null,
  now: number,
  sla: InboxSlaState | null = null,
): InboxQueueItem {
  const snoozeOver = row.status === 'snoozed' && (row.snoozed_until ?? 0) <= now;
  const status = snoozeOver ? (row.agent_id === null ? 'open' : 'assigned') : row.status;
  return {
    conversation_id: row.id,
    customer: { psid: row.psid, first_name: row.first_name },
    queued_at: row.queued_at ?? row.last_message_at,
    assigned_agent: row.agent_id === null ? null : { id: row.agent_id, display_name: row.agent_name ?? '' },
    status,
    snoozed_until: status === 'snoozed' ? row.snoozed_until : null,
    reason: row.handover_reason,
    team: row.team_id === null ? null : { id: row.team_id, name: row.team_name ?? '' },
    last_message: lastMessage,
    // Only conversations of a team with SLA targets carry timers.
    ...(sla === null ? {} : { sla }),
  };
}
