/**
 * The one runner of the Send API's table (send-steps.ts): parse picks the row; its
 * `request` steps run first, then its checks and effects in one write transaction (or on
 * the pool for a send that writes nothing). A job of a group commit may run more than
 * once (storage/write-queue.ts), so each run starts from the request steps' state afresh.
 * Checks come before effects in every row, so a refused send leaves nothing in the
 * transaction and the write queue refuses it alone.
 */
import { PlatformError } from '@confide/protocol';
import type { GraphCall } from '../../http/graph-request.js';
import { ContentErasedError } from '../../privacy/purposes.js';
import type { WriteTx } from '../../storage/write-queue.js';
import { recipientsAhead } from './pipeline/load-recipient.js';
import { need, type SendAnswer, type SendEnv, type SendState } from './pipeline/send-state.js';
import { countRefusal, countSent } from './refusals.js';
import { parseSend, SEND_TABLE, startState, variantOf, type SendRow } from './send-steps.js';

export async function runSend(env: SendEnv, call: GraphCall): Promise<SendAnswer> {
  const cmd = parseSend(env.ctx, call);
  const row = SEND_TABLE[variantOf(cmd)];
  const state = startState(call, cmd, env.ctx);
  try {
    const answer = await runRow(env, row, state);
    if (row.counted) countSent(env.ctx, call.principal.pageId);
    return answer;
  } catch (caught) {
    for (const undo of state.undo) await undo();
    // The recipient was erased while this send was under way: the keystore refuses new keys for them.
    const err = caught instanceof ContentErasedError ? new PlatformError('NO_MATCHING_USER') : caught;
    if (row.counted) await countRefusal(env.ctx, { pageId: call.principal.pageId, psid: cmd.psid }, err);
    throw err;
  }
}

/** Runs one row for a parsed send; exported for the runner's tests. */
export async function runRow(env: SendEnv, row: SendRow, state: SendState): Promise<SendAnswer> {
  const inTransaction = row.steps.filter((step) => step.phase !== 'request');
  for (const step of row.steps) if (step.phase === 'request') await step.run(state, env);
  const finish = async (tx: WriteTx | undefined): Promise<SendAnswer> => {
    const run: SendState = { ...state, db: tx?.db ?? env.ctx.storage.db, now: env.ctx.now() };
    if (tx !== undefined) run.tx = tx;
    for (const step of inTransaction) await step.run(run, env);
    return need(run.answer, 'answer');
  };
  if (!row.transaction) return finish(undefined);
  const key = { pageId: need(state.principal, 'principal').pageId, psid: state.cmd.psid };
  // Sends to one customer never share two transactions in flight (PostgreSQL; storage/pending-jobs.ts).
  const partition = env.keys.customerOf(key.pageId, key.psid);
  return env.ctx.storage.writes.run(finish, {
    partition,
    ...(row.readAhead ? { readAhead: { source: recipientsAhead, key } } : {}),
  });
}
