/**
 * Step-up for unlocking a card locked for fraud: chat alone is not enough. The bank sends
 * a one-time link (bound to the card, the customer and the chat, valid 10 minutes) to its
 * own log-in page; only the card's owner signing in there unlocks the card. Everything
 * is recorded in the card's case history.
 */
import type { Platform } from '@confide/sdk';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { esc, page } from '../../common/html.js';
import { newSecret, verifyPassword } from '../../common/ids.js';
import { maskedCard } from '../../common/pan.js';
import type { Card, Ledger } from '../ledger.js';
import type { BankDatabase } from '../schema.js';
import { isFraudLock, type FraudCases } from './cases.js';

export const STEP_UP_TTL_MS = 10 * 60_000;
/** Wrong sign-ins a link survives; then it is spent and the customer asks again in chat. */
export const STEP_UP_MAX_FAILURES = 5;
const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Dependencies of {@link StepUps}. */
export interface StepUpDeps {
  db: Kysely<BankDatabase>;
  ledger: Ledger;
  cases: FraudCases;
  platform: Platform;
  log: Logger;
  now: () => number;
  /** Where customers' browsers reach the bank. */
  publicUrl: string;
}

export class StepUps {
  readonly #d: StepUpDeps;
  readonly #failures = new Map<string, number>();

  constructor(deps: StepUpDeps) {
    this.#d = deps;
  }

  /** Mints a one-time step-up link for unlocking `card`, bound to the asking chat. */
  async link(card: Card, psid: string): Promise<string> {
    const token = newSecret();
    const at = this.#d.now();
    await this.#d.db
      .insertInto('step_ups')
      .values({
        token_hash: hash(token),
        card_id: card.id,
        customer_id: card.customer_id,
        psid,
        created_at: at,
        expires_at: at + STEP_UP_TTL_MS,
        used_at: null,
      })
      .execute();
    const fc = await this.#d.cases.latestCaseOf(card.id);
    if (fc !== undefined)
      await this.#d.cases.note(fc.id, `customer:chat:${psid}`, 'asked to unlock the card; step-up link sent');
    return `${this.#d.publicUrl}/step-up/${token}`;
  }

  /**
   * Completes a step-up: the token must be unused and unexpired, and the credentials the
   * card owner's. @returns the unlocked card, or an error for the page.
   */
  async complete(
    token: string,
    username: string,
    password: string,
  ): Promise<{ card: Card } | { error: string; status: number }> {
    const { db, ledger, now } = this.#d;
    const row = await db.selectFrom('step_ups').selectAll().where('token_hash', '=', hash(token)).executeTakeFirst();
    if (row === undefined || row.used_at !== null || row.expires_at < now())
      return { error: 'This link is not valid any more. Ask again in the chat.', status: 400 };
    const customer = await ledger.customerByUsername(username);
    if (
      customer === undefined ||
      customer.id !== row.customer_id ||
      !verifyPassword(password, customer.password_hash)
    ) {
      const failures = (this.#failures.get(row.token_hash) ?? 0) + 1;
      this.#failures.set(row.token_hash, failures);
      if (failures < STEP_UP_MAX_FAILURES) return { error: 'Wrong username or password.', status: 401 };
      this.#failures.delete(row.token_hash);
      await db.updateTable('step_ups').set({ used_at: now() }).where('token_hash', '=', row.token_hash).execute();
      this.#d.log.warn({ card: row.card_id }, 'step-up link spent after too many wrong sign-ins');
      return { error: 'Too many wrong attempts: this link no longer works. Ask again in the chat.', status: 429 };
    }
    this.#failures.delete(row.token_hash);
    const used = await db
      .updateTable('step_ups')
      .set({ used_at: now() })
      .where('token_hash', '=', row.token_hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (used.numUpdatedRows === 0n)
      return { error: 'This link is not valid any more. Ask again in the chat.', status: 400 };
    const card = await ledger.card(row.card_id);
    if (card === undefined) return { error: 'This card no longer exists.', status: 400 };
    if (isFraudLock(card.lock_reason) && card.lock_reason !== 'fraud_review') await ledger.unlockCard(card.id);
    const fc = await this.#d.cases.latestCaseOf(card.id);
    if (fc !== undefined)
      await this.#d.cases.note(
        fc.id,
        `customer:step-up:${row.psid}`,
        'card unlocked after re-authentication at the bank',
      );
    this.#d.log.info({ card: card.id, customer: customer.id }, 'card unlocked after step-up');
    await this.#d.platform.messages
      .sendText(
        row.psid,
        `Card ${maskedCard(card.last4)} is unlocked: you confirmed it's you at the Sandbox Bank log-in page.`,
      )
      .catch((err: unknown) =>
        this.#d.log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'could not confirm the unlock in chat',
        ),
      );
    return { card: (await ledger.card(card.id)) ?? card };
  }
}

const TokenParamsSchema = z.object({ token: z.string().min(20).max(100) });
const StepUpFormSchema = z.object({
  username: z.string().max(100).default(''),
  password: z.string().max(256).default(''),
});
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

/** The bank's step-up page: `GET/POST /step-up/:token`. */
export function stepUpRoutes(stepUps: StepUps) {
  const form = (token: string, error?: string) =>
    page(
      'Sandbox Bank · Confirm it is you',
      `<h1>Sandbox Bank</h1><p>To unlock your card, sign in with your <strong>Sandbox Bank</strong> online-banking details.</p>
       ${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
       <form method="post" action="/step-up/${esc(token)}">
       <label for="username">Username</label><input id="username" name="username" type="text" autocomplete="username" required>
       <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
       <button class="primary" type="submit">Unlock my card</button></form>`,
    );
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/step-up/:token', async (request, reply) => {
      const params = TokenParamsSchema.safeParse(request.params);
      if (!params.success)
        return reply
          .code(400)
          .headers(HEADERS)
          .send(page('Sandbox Bank', '<p class="error">This link is not valid.</p>'));
      return reply.headers(HEADERS).send(form(params.data.token));
    });
    app.post('/step-up/:token', async (request, reply) => {
      const params = TokenParamsSchema.safeParse(request.params);
      const body = StepUpFormSchema.safeParse(request.body);
      if (!params.success || !body.success)
        return reply
          .code(400)
          .headers(HEADERS)
          .send(page('Sandbox Bank', '<p class="error">This link is not valid.</p>'));
      const result = await stepUps.complete(params.data.token, body.data.username, body.data.password);
      if ('error' in result)
        return reply.code(result.status).headers(HEADERS).send(form(params.data.token, result.error));
      return reply
        .headers(HEADERS)
        .send(
          page(
            'Sandbox Bank',
            `<h1>Sandbox Bank</h1><p>Card ${esc(maskedCard(result.card.last4))} is unlocked. You can close this page and go back to the chat.</p>`,
          ),
        );
    });
  };
}
