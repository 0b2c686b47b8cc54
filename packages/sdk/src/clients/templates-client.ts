/**
 * @module clients/templates-client
 * Utility Messages: a page's message templates (`/me/message_templates`) and the utility
 * send that fills one in (`POST /me/messages` with `message.template`). Utility messages
 * replace the `ACCOUNT_UPDATE`, `POST_PURCHASE_UPDATE` and `CONFIRMED_EVENT_UPDATE` tags
 * Meta retired on 2026-04-27.
 */
import type {
  CreateMessageTemplateRequestInput,
  CreateMessageTemplateResponse,
  MessageTemplate,
  MessageTemplateList,
  TemplateMessageInput,
  TemplateStatus,
} from '@confide/protocol';
import type { HttpTransport } from '../transport/http-transport.js';
import type { RecipientInput, SendResponse } from './message-types.js';

export type { CreateMessageTemplateResponse, MessageTemplate, TemplateStatus };

/** A template to create: `name`, `language`, `category: 'UTILITY'`, and `components` with Confide's `notification_category`, or a `library_template_name` to clone. */
export type MessageTemplateInput = CreateMessageTemplateRequestInput;

/** Filters of {@link TemplatesClient.list}, as Meta names them. */
export interface TemplateListFilters {
  name?: string;
  language?: string;
  status?: TemplateStatus;
  category?: 'UTILITY';
  content?: string;
  name_or_content?: string;
}

/** Filters of {@link TemplatesClient.library}. */
export interface LibraryFilters {
  name?: string;
  language?: string;
  topic?: string;
  usecase?: string;
  industry?: string;
  search?: string;
  name_or_content?: string;
}

/** A template of the library, in Meta's library shape plus Confide's consent category. */
export interface LibraryTemplate {
  id: string;
  name: string;
  language: string;
  category: 'UTILITY';
  topic: string;
  usecase: string;
  industry: string[];
  body: string;
  body_params: string[];
  body_param_types: string[];
  buttons?: Array<Record<string, unknown>>;
  notification_category: string;
}

/** A button parameter: the URL suffix of a `URL` button, or the payload variable of a `POSTBACK` one. */
export type UtilityButtonParameter = { type: 'URL'; url: string } | { type: 'POSTBACK'; payload: string };

/** What fills a template's variables, in order. */
export interface UtilityParameters {
  /** The header's `{{1}}`, when it has one. */
  header?: string;
  /** `{{1}}…{{n}}` of the body. */
  body?: string[];
  /** One per button that has a variable, in button order. */
  buttons?: UtilityButtonParameter[];
}

/** Options of {@link TemplatesClient.send}. */
export interface UtilitySendOptions {
  /** Send as a persona (a human agent's identity). */
  personaId?: string;
  /** Echoed back in `message_echoes`. */
  metadata?: string;
  /**
   * An earlier message of the conversation this one refers to (`reply_to`); on Confide it
   * also closes that message's open question (e.g. an alert answered on another channel).
   */
  replyTo?: string;
}

/** Manages a page's utility message templates and sends them. */
export class TemplatesClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * Creates a template; Confide reviews it at once.
   * @returns its id and review status (`APPROVED` or `REJECTED`; the reason is on {@link get}).
   * @throws {PlatformApiError} code 100 for a template that cannot exist (a body starting or
   *   ending with a variable, missing examples, more than 3 buttons, a taken name and language…).
   * @example
   * const { id, status } = await platform.templates.create({
   *   name: 'card_payment_check',
   *   language: 'en_US',
   *   category: 'UTILITY',
   *   notification_category: 'fraud_alerts',
   *   components: [{ type: 'BODY', text: 'We noticed a payment of {{1}} at {{2}}. Was it you?', example: { body_text: [['€42.00', 'Coffee Corner']] } }],
   * });
   */
  create(template: MessageTemplateInput): Promise<CreateMessageTemplateResponse> {
    return this.#transport.post<CreateMessageTemplateResponse>('/me/message_templates', template);
  }

  /**
   * Lists Confide's ready-made templates (`GET /message_template_library`); clone one with
   * `create({ name, language, category: 'UTILITY', library_template_name })`.
   */
  async library(filters: LibraryFilters = {}): Promise<LibraryTemplate[]> {
    const res = await this.#transport.get<{ data: LibraryTemplate[] }>('/message_template_library', { ...filters });
    return res.data;
  }

  /** Lists the page's templates (deleted ones excluded), oldest first. */
  async list(filters: TemplateListFilters = {}): Promise<MessageTemplate[]> {
    const res = await this.#transport.get<MessageTemplateList>('/me/message_templates', { ...filters });
    return res.data;
  }

  /**
   * Reads one template by id.
   * @throws {PlatformApiError} 100/33 for an unknown, deleted or other page's template.
   */
  get(id: string): Promise<MessageTemplate> {
    return this.#transport.get<MessageTemplate>(`/${encodeURIComponent(id)}`);
  }

  /**
   * Deletes a template by name (every language), or one template by name and id.
   * @throws {PlatformApiError} 100 when nothing matches.
   */
  delete(name: string, options: { hsmId?: string } = {}): Promise<{ success: true }> {
    return this.#transport.delete<{ success: true }>('/me/message_templates', undefined, {
      name,
      hsm_id: options.hsmId,
    });
  }

  /**
   * Sends an approved template to a customer, at any time (no 24-hour window). On Confide the
   * customer must have allowed the template's `notification_category`.
   * @throws {PlatformApiError} `isConsentError()` without consent; code 100 for an unknown,
   *   deleted or unapproved template, or parameters that do not match its variables.
   * @example
   * await platform.templates.send(psid, 'card_payment_check', 'en_US', { body: ['€42.00', 'Coffee Corner'] });
   */
  send(
    recipient: RecipientInput,
    name: string,
    language: string,
    parameters: UtilityParameters = {},
    options: UtilitySendOptions = {},
  ): Promise<SendResponse> {
    const message: TemplateMessageInput = {
      template: { name, language: { code: language }, components: templateComponents(parameters) },
    };
    if (options.metadata !== undefined) message.metadata = options.metadata;
    const body: Record<string, unknown> = {
      recipient: typeof recipient === 'string' ? { id: recipient } : recipient,
      messaging_type: 'UTILITY',
      message,
    };
    if (options.personaId !== undefined) body['persona_id'] = options.personaId;
    if (options.replyTo !== undefined) body['reply_to'] = { mid: options.replyTo };
    return this.#transport.post<SendResponse>('/me/messages', body);
  }
}

/** The `components` of a utility send, for the parameters given. */
function templateComponents(
  parameters: UtilityParameters,
): NonNullable<TemplateMessageInput['template']['components']> {
  const text = (value: string) => ({ type: 'text' as const, text: value });
  const components: NonNullable<TemplateMessageInput['template']['components']> = [];
  if (parameters.header !== undefined) components.push({ type: 'header', parameters: [text(parameters.header)] });
  if (parameters.body !== undefined && parameters.body.length > 0)
    components.push({ type: 'body', parameters: parameters.body.map(text) });
  if (parameters.buttons !== undefined && parameters.buttons.length > 0)
    components.push({ type: 'buttons', parameters: parameters.buttons });
  return components;
}
