/**
 * What the customer is told when a person joins or leaves their conversation: hub-written
 * system lines (never sent to the business as webhooks), stored in the transaction that
 * assigns or resolves, so the line and the change cannot disagree.
 */
import type { HubContext } from '../../context.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { postHubMessage } from '../consent/hub-message.js';
import type { Agent } from './agents.js';
import { publishMessageAppended } from './publish.js';

export function postJoinedLine(
  tx: WriteTx,
  ctx: HubContext,
  conversation: { id: string; customer_id: string; page_id: string },
  agent: Pick<Agent, 'display_name' | 'team_name'>,
): Promise<unknown> {
  const who = agent.team_name === null ? agent.display_name : `${agent.display_name} from the ${agent.team_name} team`;
  return postLine(tx, ctx, conversation, `${who} joined`);
}

export function postLeftLine(
  tx: WriteTx,
  ctx: HubContext,
  conversation: { id: string; customer_id: string; page_id: string },
  agent: Agent,
): Promise<unknown> {
  return postLine(tx, ctx, conversation, `${agent.display_name} left, you are back with the assistant`);
}

/** Any other line the hub tells the customer about the conversation (e.g. a team's business hours). */
export function postSystemLine(
  tx: WriteTx,
  ctx: HubContext,
  conversation: { id: string; customer_id: string; page_id: string },
  text: string,
): Promise<unknown> {
  return postLine(tx, ctx, conversation, text);
}

async function postLine(
  tx: WriteTx,
  ctx: HubContext,
  conversation: { id: string; customer_id: string; page_id: string },
  text: string,
): Promise<unknown> {
  const message = await postHubMessage(tx, ctx.bus, {
    conversation,
    direction: 'out',
    body: { text },
    now: ctx.now(),
    system: true,
  });
  // Agents with the conversation open get the line as a message frame.
  publishMessageAppended(tx, ctx.bus, conversation.page_id, conversation.id, message.mid);
  return message;
}
