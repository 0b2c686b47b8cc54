/** `GET /{page}/transcripts?recipient=PSID[&since&until&limit]`: a signed transcript (transcripts.ts). */
import { TranscriptRequestSchema } from '@confide/protocol';
import { PAGE_BASES, parseParams, type GraphRoutes } from '../../http/graph-request.js';
import type { HubContext } from '../../context.js';
import { Transcripts } from './transcripts.js';

export function transcriptRoutes(ctx: HubContext): GraphRoutes {
  const transcripts = new Transcripts(ctx);
  return (router) => {
    for (const base of PAGE_BASES) {
      router.route('GET', `${base}/transcripts`, async (call) => {
        // `recipient` is a bare PSID in the query string, or `{"id": …}` as elsewhere.
        const recipient = call.params['recipient'];
        const params = {
          ...call.params,
          recipient: typeof recipient === 'string' ? { id: recipient } : recipient,
        };
        return transcripts.export(call.principal, parseParams(TranscriptRequestSchema, params));
      });
    }
  };
}
