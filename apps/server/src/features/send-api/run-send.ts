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
import type { SendCommand } from './pipeline/parse-send.js';
import {
  need,
  type SendAnswer,
  type SendEnv,
  type SendOutcome,
  type SendRequest,
  type SendState,
  type SendStep,
} from './pipeline/send-state.js';
import { countRefusal, countSent } from './refusals.js';
import { parseSend, SEND_TABLE, startState, variantOf, type SendRow } from './send-steps.js';

/** A Graph call: parsed into its command, then run as any send. */
export async function runSend(env: SendEnv, call: GraphCall): Promise<SendAnswer> {
  const cmd = parseSend(env.ctx, call);
  return (await runCommand(env, { principal: call.principal, file: call.file }, cmd)).answer;
}

/** A typed send: its command picks the row of the table, which runs for the request's principal. */
export async function runCommand(env: SendEnv, request: SendRequest, cmd: SendCommand): Promise<SendOutcome> {
  const row = SEND_TABLE[variantOf(cmd)];
  const state = startState(request, cmd, env.ctx);
  try {
    const outcome = await runRowOutcome(env, row, state);
    if (row.counted) countSent(env.ctx, request.principal.pageId);
    return outcome;
  } catch (caught) {
    for (const undo of state.undo) await undo();
    // The recipient was erased while this send was under way: the keystore refuses new keys for them.
    const err = caught instanceof ContentErasedError ? new PlatformError('NO_MATCHING_USER') : caught;
    if (row.counted) await countRefusal(env.ctx, { pageId: request.principal.pageId, psid: cmd.psid }, err);
    throw err;
  }
}

/** Runs one row for a parsed send; exported for the runner's tests. */
export async function runRow(env: SendEnv, row: SendRow, state: SendState): Promise<SendAnswer> {
  return (await runRowOutcome(env, row, state)).answer;
}

async function runRowOutcome(env: SendEnv, row: SendRow, state: SendState): Promise<SendOutcome> {
  const { request, inTransaction } = phasesOf(row);
  const requested = runSteps(request, state, env);
  if (requested !== undefined) await requested;
  const finish = async (tx: WriteTx | undefined): Promise<SendOutcome> => {
    const run: SendState = { ...state, db: tx?.db ?? env.ctx.storage.db, now: env.ctx.now() };
    if (tx !== undefined) run.tx = tx;
    const checked = runSteps(inTransaction, run, env);
    if (checked !== undefined) await checked;
    return { answer: need(run.answer, 'answer'), message: run.message };
  };
  if (!row.transaction) return finish(undefined);
  const key = { pageId: need(state.principal, 'principal').pageId, psid: state.cmd.psid };
  const readAhead = row.readAhead ? { source: recipientsAhead, key } : undefined;
  // Sends to one customer never share two transactions in flight (PostgreSQL; storage/pending-jobs.ts).
  const partition = env.keys.customerOf(key.pageId, key.psid);
  return env.ctx.storage.writes.run(finish, {
    setBased: row.setBased === true,
    partition,
    ...(readAhead && { readAhead }),
  });
}

/** A row's steps split by phase, once per row rather than once per send. */
const phases = new WeakMap<SendRow, { request: readonly SendStep[]; inTransaction: readonly SendStep[] }>();

function phasesOf(row: SendRow): { request: readonly SendStep[]; inTransaction: readonly SendStep[] } {
  let split = phases.get(row);
  if (split === undefined) {
    split = {
      request: row.steps.filter((step) => step.phase === 'request'),
      inTransaction: row.steps.filter((step) => step.phase !== 'request'),
    };
    phases.set(row, split);
  }
  return split;
}

/**
 * Runs steps in order, awaiting only those that return a promise (most checks answer at once);
 * a promise only when one of them did, so a row of steps that all answer at once costs none.
 */
function runSteps(steps: readonly SendStep[], state: SendState, env: SendEnv, from = 0): Promise<void> | undefined {
  for (let i = from; i < steps.length; i++) {
    const pending = (steps[i] as SendStep).run(state, env);
    if (pending !== undefined) return pending.then(() => runSteps(steps, state, env, i + 1));
  }
  return undefined;
}
