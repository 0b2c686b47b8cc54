/**
 * @module webhooks/feedback-events
 * `messaging_feedback` items, as Meta's customer feedback: the customer answered a feedback
 * question. Confide sends one after a resolve in the agent inbox when the hub asks its 1–5
 * satisfaction question (INBOX_CSAT): one screen (`screen_id` 0) whose `questions` map the
 * question's id to `{ type: 'csat', payload: '<1-5>' }`.
 */
import { z } from 'zod';
import { ParticipantSchema } from './events.js';

const FeedbackAnswerSchema = z.object({
  /** `csat` (1–5), `nps` (0–10) or `ces` (1–7) in Meta's templates; Confide sends `csat`. */
  type: z.string(),
  /** The score, as a string. */
  payload: z.string(),
  /** An optional free-text follow-up (`{type: 'free_form', payload}`). */
  follow_up: z.object({ type: z.string(), payload: z.string() }).optional(),
});

export const MessagingFeedbackEventSchema = z.object({
  sender: ParticipantSchema,
  recipient: ParticipantSchema,
  timestamp: z.number(),
  messaging_feedback: z.object({
    feedback_screens: z.array(
      z.object({ screen_id: z.number().int(), questions: z.record(z.string(), FeedbackAnswerSchema) }),
    ),
  }),
});
export type MessagingFeedbackEvent = z.infer<typeof MessagingFeedbackEventSchema>;
