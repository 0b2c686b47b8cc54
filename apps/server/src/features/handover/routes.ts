/** Handover endpoints on the Graph API (reference §9.2). */
import { PassThreadControlRequestSchema, ThreadControlRequestSchema } from '@confide/protocol';
import { PAGE_BASES, parseParams, type GraphRoutes } from '../../http/graph-request.js';
import type { Handover } from './handover.js';

const ThreadOwnerQuerySchema = ThreadControlRequestSchema.pick({ recipient: true });

export function handoverRoutes(handover: Handover): GraphRoutes {
  return (router) => {
    for (const base of PAGE_BASES) {
      router.route('POST', `${base}/pass_thread_control`, async (call) => {
        const body = parseParams(PassThreadControlRequestSchema, call.params);
        await handover.passThreadControl(call.principal, body.recipient.id, body.target_app_id, body.metadata);
        return { success: true };
      });
      router.route('POST', `${base}/take_thread_control`, async (call) => {
        const body = parseParams(ThreadControlRequestSchema, call.params);
        await handover.takeThreadControl(call.principal, body.recipient.id, body.metadata);
        return { success: true };
      });
      router.route('POST', `${base}/request_thread_control`, async (call) => {
        const body = parseParams(ThreadControlRequestSchema, call.params);
        await handover.requestThreadControl(call.principal, body.recipient.id, body.metadata);
        return { success: true };
      });
      router.route('POST', `${base}/release_thread_control`, async (call) => {
        const body = parseParams(ThreadControlRequestSchema, call.params);
        await handover.releaseThreadControl(call.principal, body.recipient.id, body.metadata);
        return { success: true };
      });
      router.route('GET', `${base}/thread_owner`, async (call) => {
        // `recipient` is a bare PSID in the query string.
        const { recipient } = parseParams(ThreadOwnerQuerySchema, { recipient: { id: call.params['recipient'] } });
        return { data: [{ thread_owner: { app_id: await handover.threadOwner(call.principal, recipient.id) } }] };
      });
      router.route('GET', `${base}/secondary_receivers`, async (call) => ({
        data: await handover.secondaryReceivers(call.principal),
      }));
    }
  };
}
