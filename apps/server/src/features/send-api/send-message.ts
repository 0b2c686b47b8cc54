/**
 * The Send API use case, `POST /{version}/me/messages`: one table of steps (send-steps.ts)
 * run by one runner (run-send.ts). The answer is sent only after commit. Senders inside the
 * hub (the agent inbox) run a typed command (commands.ts) through the same steps.
 */
import type { SendMessageResponse, SenderActionResponse } from '@confide/protocol';
import type { HubContext } from '../../context.js';
import type { GraphCall } from '../../http/graph-request.js';
import type { Attachments } from '../attachments/attachments.js';
import type { SendCommand } from './pipeline/parse-send.js';
import type { SendEnv, SendOutcome, SendRequest } from './pipeline/send-state.js';
import type { PageRateLimiter } from './rate-limit.js';
import { runCommand, runSend } from './run-send.js';
import { RecipientKeys } from './warm-keys.js';

export class SendApi {
  readonly #env: SendEnv;

  constructor(ctx: HubContext, attachments: Attachments, limiter: PageRateLimiter) {
    this.#env = { ctx, attachments, limiter, keys: new RecipientKeys(ctx) };
  }

  send(call: GraphCall): Promise<SendMessageResponse | SenderActionResponse> {
    return runSend(this.#env, call);
  }

  /** A typed send from inside the hub, as `request.principal`: no Graph request is built or parsed. */
  sendCommand(request: SendRequest, cmd: SendCommand): Promise<SendOutcome> {
    return runCommand(this.#env, request, cmd);
  }
}
