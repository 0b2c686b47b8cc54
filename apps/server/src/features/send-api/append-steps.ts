/**
 * The Send API's last steps, which write (or publish) once every check has passed: append
 * a message to the conversation's timeline, append the page's read receipt, or publish a
 * typing frame. `appendMessage` is the one place the Send API records a message (through the kernel, src/timeline/).
 */
import type { SendMessageResponse } from '@confide/protocol';
import { closeQuestion } from '../conversations/index.js';
import { appendFrame, appendMessage as appendToConversation } from '../../timeline/index.js';
import { need, type SendStep } from './pipeline/send-state.js';

/** The message, its quoted question closed and its attachments linked, in the send's transaction. */
export const appendMessage: SendStep = {
  name: 'append',
  phase: 'effect',
  async run(s, env) {
    const tx = need(s.tx, 'transaction');
    const conv = need(s.conv, 'recipient');
    const draft = need(s.draft, 'draft');
    const { now } = s;
    const message = await appendToConversation(tx, env.ctx.bus, {
      conversation: conv,
      direction: 'out',
      body: draft.body,
      now,
      appId: need(s.principal, 'principal').appId,
      personaId: s.cmd.personaId ?? null,
      messagingType: draft.messagingType,
      tag: draft.tag,
      notificationCategory: draft.notificationCategory,
      awaitsAnswer: draft.awaitsAnswer,
    });
    const replyTo = s.cmd.kind === 'message' || s.cmd.kind === 'utility' ? s.cmd.replyTo : undefined;
    if (replyTo !== undefined) await closeQuestion(tx, { conversationId: conv.id, mid: replyTo, now });
    for (const attachmentId of draft.linked) {
      await tx.db
        .insertInto('message_attachments')
        .values({ attachment_id: attachmentId, conversation_id: conv.id, mid: message.mid, created_at: now })
        .execute();
    }
    tx.afterCommit(() => env.ctx.metrics.messagesStored.inc({ direction: 'out' }));
    s.message = message;
    const answer: SendMessageResponse = { recipient_id: conv.psid, message_id: message.mid };
    if (draft.reusableId !== undefined) answer.attachment_id = draft.reusableId;
    s.answer = answer;
  },
};

/** mark_seen: moves the page's read watermark and appends the receipt to the customer's stream. */
export const markSeen: SendStep = {
  name: 'append read receipt',
  phase: 'effect',
  async run(s, env) {
    const tx = need(s.tx, 'transaction');
    const conv = need(s.conv, 'recipient');
    const { now } = s;
    await tx.db.updateTable('conversations').set({ page_read_wm: now }).where('id', '=', conv.id).execute();
    await appendFrame(
      tx,
      env.ctx.bus,
      conv.customer_id,
      { type: 'receipt', conversation_id: conv.id, side: 'page', kind: 'read', watermark: now },
      now,
    );
    s.answer = { recipient_id: conv.psid };
  },
};

/** typing_on / typing_off: an ephemeral frame on the customer's stream, nothing stored. */
export const publishTyping: SendStep = {
  name: 'publish typing',
  phase: 'effect',
  run(s, env) {
    const conv = need(s.conv, 'recipient');
    const on = s.cmd.kind === 'action' && s.cmd.action === 'typing_on';
    env.ctx.bus.publish({
      name: 'customer.frame',
      customerId: conv.customer_id,
      frame: { type: 'typing', conversation_id: conv.id, on },
    });
    s.answer = { recipient_id: conv.psid };
  },
};
