/**
 * The utility message templates a sandbox sends its proactive updates with (Meta retired the
 * update tags on 2026-04-27). At start-up each template is created through the SDK's
 * template client, or an existing one of the same name and language is reused; a template
 * under review is waited for (the status webhook, or its status read again), and a rejected
 * one, or one whose content differs from what the sandbox sends, stops the start-up with a
 * clear error.
 */
import type { BotEventMap, MessageTemplate, MessageTemplateInput, Platform, TemplateStatus } from '@confide/sdk';

/** One template the sandbox needs: Meta's create body plus Confide's consent category. */
export type TemplateSpec = MessageTemplateInput & {
  language: string;
  notification_category: string;
  components: NonNullable<MessageTemplateInput['components']>;
};

/** A template's review status changed (the `message_template_status_update` webhook). */
export type TemplateStatusUpdate = BotEventMap['template_status'];

/** Options of {@link UtilityTemplates}. */
export interface UtilityTemplatesOptions {
  platform: Platform;
  specs: readonly TemplateSpec[];
  /** How long a template may stay in review before the start-up gives up (default 2 minutes). */
  approvalTimeoutMs?: number;
  /** How often a pending template's status is read again when no webhook says so (default 1 s). */
  pollMs?: number;
  log?: { info(obj: object, msg: string): void };
}

/** Why a sandbox cannot send its updates: a template was rejected, differs, or stayed in review. */
export class TemplateSetupError extends Error {
  override readonly name = 'TemplateSetupError';
}

const key = (name: string, language: string) => `${name}:${language}`;

/** The templates of one sandbox, made sure of once. */
export class UtilityTemplates {
  readonly #o: Required<Omit<UtilityTemplatesOptions, 'log'>> & Pick<UtilityTemplatesOptions, 'log'>;
  readonly #specs = new Map<string, TemplateSpec>();
  /** Status by name and language, as last read or announced. */
  readonly #status = new Map<string, TemplateStatus>();
  readonly #waiters = new Map<string, () => void>();
  #ready: Promise<void> | undefined;
  #done = false;

  constructor(options: UtilityTemplatesOptions) {
    this.#o = { approvalTimeoutMs: 120_000, pollMs: 1_000, ...options };
    for (const spec of options.specs) this.#specs.set(spec.name, spec);
  }

  /** Whether every template is approved (the start-up's {@link ensure} finished). */
  get ready(): boolean {
    return this.#done;
  }

  /** The spec of a template by name; throws for a name the sandbox never declared. */
  spec(name: string): TemplateSpec {
    const spec = this.#specs.get(name);
    if (spec === undefined) throw new Error(`No utility template named ${name}`);
    return spec;
  }

  /**
   * Creates the missing templates, reuses approved ones and waits for those in review.
   * Idempotent: later calls share the first call's outcome (a failed one is tried again).
   * @throws {TemplateSetupError} a template was rejected, differs from its spec, or stayed pending.
   */
  ensure(): Promise<void> {
    this.#ready ??= this.#ensureAll().then(
      () => {
        this.#done = true;
      },
      (err: unknown) => {
        this.#ready = undefined;
        throw err;
      },
    );
    return this.#ready;
  }

  /** Records a status the hub announced, waking a start-up that waits for it. */
  onStatus(update: TemplateStatusUpdate): void {
    const id = key(update.message_template_name, update.message_template_language);
    if (!this.#specs.has(update.message_template_name)) return;
    this.#status.set(id, update.event);
    this.#o.log?.info({ template: update.message_template_name, status: update.event }, 'template status changed');
    this.#waiters.get(id)?.();
  }

  async #ensureAll(): Promise<void> {
    await Promise.all([...this.#specs.values()].map((spec) => this.#ensureOne(spec)));
  }

  async #ensureOne(spec: TemplateSpec): Promise<void> {
    // Filtered by name and language, so a page with many templates needs no paging.
    const existing = await this.#o.platform.templates.list({ name: spec.name, language: spec.language });
    const found = existing.find((t) => t.name === spec.name && t.language === spec.language);
    let id: string;
    let status: TemplateStatus;
    if (found !== undefined) {
      const difference = differs(spec, found);
      if (difference !== undefined)
        throw new TemplateSetupError(
          `Utility template ${spec.name} (${spec.language}) exists with other content (${difference}); delete it ` +
            `(DELETE /me/message_templates?name=${spec.name}) so the sandbox can create it again`,
        );
      ({ id, status } = found);
    } else {
      ({ id, status } = await this.#o.platform.templates.create(spec));
      this.#o.log?.info({ template: spec.name, status }, 'utility template created');
    }
    this.#status.set(key(spec.name, spec.language), status);
    if (status === 'PENDING') status = await this.#approval(spec, id);
    if (status === 'REJECTED') {
      const reason = await this.#o.platform.templates.get(id).then(
        (t) => t.rejected_reason,
        () => 'unknown',
      );
      throw new TemplateSetupError(
        `Utility template ${spec.name} (${spec.language}) was rejected (${reason}): the sandbox cannot send ` +
          `${spec.notification_category} updates; fix the template in its spec or delete the rejected one`,
      );
    }
  }

  /** Waits for a template under review: the status webhook, or the status read every `pollMs`. */
  async #approval(spec: TemplateSpec, id: string): Promise<TemplateStatus> {
    const k = key(spec.name, spec.language);
    const deadline = Date.now() + this.#o.approvalTimeoutMs;
    try {
      for (;;) {
        const announced = this.#status.get(k);
        if (announced !== undefined && announced !== 'PENDING') return announced;
        const read = (await this.#o.platform.templates.get(id)).status;
        if (read !== 'PENDING') return read;
        if (Date.now() >= deadline)
          throw new TemplateSetupError(
            `Utility template ${spec.name} (${spec.language}) is still in review after ${this.#o.approvalTimeoutMs} ms`,
          );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#o.pollMs);
          this.#waiters.set(k, () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    } finally {
      this.#waiters.delete(k);
    }
  }
}

/** What of a stored template differs from the spec (category, texts, buttons), or undefined. */
function differs(spec: TemplateSpec, stored: MessageTemplate): string | undefined {
  if (stored.notification_category !== spec.notification_category)
    return `category ${stored.notification_category}, not ${spec.notification_category}`;
  const a = JSON.stringify(shape(spec.components));
  const b = JSON.stringify(shape(stored.components as TemplateSpec['components']));
  return a === b ? undefined : 'texts or buttons';
}

/** The parts a send depends on, in a comparable form. */
function shape(components: TemplateSpec['components']): unknown[] {
  return components.map((c) => {
    const type = String(c.type).toUpperCase();
    if ('buttons' in c)
      return {
        type,
        buttons: c.buttons.map((b) => ({
          type: String(b.type).toUpperCase(),
          text: b.text,
          target: 'payload' in b ? b.payload : 'url' in b ? b.url : b.phone_number,
        })),
      };
    return { type, text: c.text };
  });
}
