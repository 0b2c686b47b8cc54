/**
 * The webhooks feature's public entry for other features: queue a webhook event in the
 * caller's transaction (the durable outbox; delivered by the worker).
 */
export { enqueueWebhook, type EnqueueWebhookInput, type MessagingItem } from './outbox.js';
