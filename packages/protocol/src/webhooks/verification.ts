/**
 * @module webhooks/verification
 * The GET handshake a hub performs before it delivers events (reference §5.1):
 * `?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`, answered with the challenge.
 */
import { z } from 'zod';

/** Query parameters of the verification handshake. */
export const WebhookVerificationQuerySchema = z.object({
  'hub.mode': z.literal('subscribe'),
  'hub.verify_token': z.string(),
  'hub.challenge': z.string().min(1),
});
export type WebhookVerificationQuery = z.infer<typeof WebhookVerificationQuerySchema>;
