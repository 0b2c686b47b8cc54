import { z } from 'zod';
import type { PlatformError } from './platform-error.js';

/** The Graph API error envelope, as Messenger clients parse it. */
export const GraphErrorEnvelopeSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    is_transient: z.boolean().optional(),
    error_data: z.record(z.string(), z.unknown()).optional(),
    fbtrace_id: z.string(),
  }),
});
export type GraphErrorEnvelope = z.infer<typeof GraphErrorEnvelopeSchema>;

/**
 * Renders an error as the Graph envelope. Messages carry the `(#code) ` prefix that
 * Messenger clients expect; 5xx messages are replaced by the catalogue text.
 */
export function toGraphEnvelope(err: PlatformError, traceId: string): GraphErrorEnvelope {
  const message = err.expose ? err.message : err.spec.message;
  const body: GraphErrorEnvelope['error'] = {
    message: `(#${err.spec.code}) ${message}`,
    type: err.spec.type,
    code: err.spec.code,
    fbtrace_id: traceId,
  };
  if (err.spec.subcode !== undefined) body.error_subcode = err.spec.subcode;
  if (err.spec.code === 2 || err.spec.code === 613) body.is_transient = true;
  if (err.detail !== undefined && err.expose) body.error_data = err.detail;
  return { error: body };
}
