/**
 * Proactive updates as utility messages (a page's approved templates, filled in with
 * parameters; Meta retired the update tags on 2026-04-27), with the sandboxes' refusal
 * policy: when the hub refuses because the customer has not allowed the template's category
 * (10/1400001), the refusal is recorded and the update is dropped, never retried. Other
 * failures are logged and dropped too; a sandbox has no outbox.
 */
import { isPlatformApiError, type Platform, type UtilityParameters } from '@confide/sdk';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { refusalRecorder, type RefusalsTableShape } from './refusals.js';
import { UtilityTemplates, type TemplateSpec } from './utility-templates.js';

/** One refused send, as the `refusals` table stores it. */
export interface RefusalRecord {
  at: number;
  psid: string;
  /** How it was sent: `UTILITY` (a template) or, on rows written before templates, a message tag. */
  tag: string;
  /** The utility template's name. */
  template: string | null;
  category: string;
  reason: string;
  code: number | null;
  subcode: number | null;
  context: string;
}

/** What happened to a proactive update. */
export type ProactiveOutcome =
  { status: 'sent'; messageId: string | undefined } | { status: 'refused' } | { status: 'failed'; error: string };

/** One update: a template of the sandbox's {@link UtilityTemplates} and what fills its variables. */
export interface UtilityUpdate {
  template: string;
  parameters: UtilityParameters;
}

/** Options of one {@link ProactiveSender.send}. */
export interface ProactiveSendOptions {
  /** What the update is about (e.g. `fraud_alert:FC-…`), stored with a refusal. */
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
  /** The templates the updates are sent with (created at start-up, see {@link UtilityTemplates.ensure}). */
  readonly templates: UtilityTemplates;

  constructor(options: {
    platform: Platform;
    templates: UtilityTemplates;
    recordRefusal: (refusal: RefusalRecord) => Promise<void>;
    log: Logger;
    now?: () => number;
  }) {
    this.#platform = options.platform;
    this.templates = options.templates;
    this.#record = options.recordRefusal;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
  }

  /** Sends one update (after making sure of the templates); never throws for Platform API errors. */
  async send(psid: string, update: UtilityUpdate, options: ProactiveSendOptions): Promise<ProactiveOutcome> {
    const spec = this.templates.spec(update.template);
    const category = spec.notification_category;
    try {
      await this.templates.ensure();
      const res = await this.#platform.templates.send(psid, spec.name, spec.language, update.parameters, {
        ...(options.replyTo === undefined ? {} : { replyTo: options.replyTo }),
      });
      return { status: 'sent', messageId: res.message_id };
    } catch (error) {
      if (isPlatformApiError(error) && error.isConsentError()) {
        await this.#record({
          at: this.#now(),
          psid,
          tag: 'UTILITY',
          template: spec.name,
          category,
          reason: error.message,
          code: error.code,
          subcode: error.subcode ?? null,
          context: options.context,
        });
        this.#log.info(
          { psid, category, template: spec.name, context: options.context },
          'proactive update refused: no consent (recorded, not retried)',
        );
        return { status: 'refused' };
      }
      const detail = error instanceof Error ? error.message : String(error);
      this.#log.warn(
        { psid, category, template: spec.name, context: options.context, err: detail },
        'proactive update failed (dropped)',
      );
      return { status: 'failed', error: detail };
    }
  }
}

/** A sender over the sandbox's templates that records refusals in its `refusals` table. */
export function createProactiveSender<DB extends { refusals: RefusalsTableShape }>(options: {
  platform: Platform;
  specs: readonly TemplateSpec[];
  db: Kysely<DB>;
  log: Logger;
  now: () => number;
}): ProactiveSender {
  const { platform, specs, db, log, now } = options;
  const templates = new UtilityTemplates({ platform, specs, log });
  return new ProactiveSender({ platform, templates, recordRefusal: refusalRecorder(db), log, now });
}
