/**
 * Proactive updates (`MESSAGE_TAG` + Confide's `notification_category`) with the
 * sandboxes' refusal policy: when the hub refuses because the customer has not allowed
 * the category (10/1400001), the refusal is recorded and the update is dropped, never
 * retried. Other failures are logged and dropped too; a sandbox has no outbox.
 */
import { isPlatformApiError, type MessageTag, type OutgoingMessage, type Platform } from '@confide/sdk';
import type { Logger } from 'pino';

/** One refused send, as the `refusals` table stores it. */
export interface RefusalRecord {
  at: number;
  psid: string;
  tag: string;
  category: string;
  reason: string;
  code: number | null;
  subcode: number | null;
  context: string;
}

/** What happened to a proactive update. */
export type ProactiveOutcome =
  { status: 'sent'; messageId: string | undefined } | { status: 'refused' } | { status: 'failed'; error: string };

/** Options of one {@link ProactiveSender.send}. */
export interface ProactiveSendOptions {
  tag: MessageTag;
  category: string;
  /** What the update is about (e.g. `fraud_alert:alr_…`), stored with a refusal. */
  context: string;
  /** An earlier message this update refers to (`reply_to`); on Confide it also closes that message's open question. */
  replyTo?: string;
}

/** Sends proactive updates and records refusals. */
export class ProactiveSender {
  readonly #platform: Platform;
  readonly #record: (refusal: RefusalRecord) => Promise<void>;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(options: {
    platform: Platform;
    recordRefusal: (refusal: RefusalRecord) => Promise<void>;
    log: Logger;
    now?: () => number;
  }) {
    this.#platform = options.platform;
    this.#record = options.recordRefusal;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
  }

  /** Sends one update; never throws for Platform API errors. */
  async send(psid: string, message: OutgoingMessage, options: ProactiveSendOptions): Promise<ProactiveOutcome> {
    try {
      const res = await this.#platform.messages.sendProactiveUpdate(psid, message, {
        tag: options.tag,
        notificationCategory: options.category,
        ...(options.replyTo === undefined ? {} : { replyTo: options.replyTo }),
      });
      return { status: 'sent', messageId: res.message_id };
    } catch (error) {
      if (isPlatformApiError(error) && error.isConsentError()) {
        await this.#record({
          at: this.#now(),
          psid,
          tag: options.tag,
          category: options.category,
          reason: error.message,
          code: error.code,
          subcode: error.subcode ?? null,
          context: options.context,
        });
        this.#log.info(
          { psid, category: options.category, context: options.context },
          'proactive update refused: no consent (recorded, not retried)',
        );
        return { status: 'refused' };
      }
      const detail = error instanceof Error ? error.message : String(error);
      this.#log.warn(
        { psid, category: options.category, context: options.context, err: detail },
        'proactive update failed (dropped)',
      );
      return { status: 'failed', error: detail };
    }
  }
}
