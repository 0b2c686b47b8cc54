/**
 * Confide's template library, the counterpart of Meta's `GET /message_template_library`:
 * ready-made utility templates, one per consent category, that a page clones with
 * `POST /{page-id}/message_templates` and `library_template_name`. A clone takes the
 * library template's components and consent category; it still goes through the review.
 */
import { PlatformError, type CreateMessageTemplateRequest, type TemplateComponent } from '@confide/protocol';
import type { ConsentCategory } from '../consent/categories.js';
import type { ResolvedTemplateRequest } from './review.js';

export interface LibraryTemplate {
  id: string;
  name: string;
  language: string;
  topic: string;
  usecase: string;
  industry: string[];
  notificationCategory: ConsentCategory;
  components: TemplateComponent[];
}

const body = (text: string, example: string[]): TemplateComponent => ({
  type: 'BODY',
  text,
  example: { body_text: [example] },
});

export const TEMPLATE_LIBRARY: readonly LibraryTemplate[] = [
  {
    id: '9100000000000001',
    name: 'low_balance_warning_1',
    language: 'en',
    topic: 'ACCOUNT_UPDATES',
    usecase: 'LOW_BALANCE_WARNING',
    industry: ['FINANCIAL_SERVICES'],
    notificationCategory: 'balances',
    components: [
      body('The balance of your account {{1}} is {{2}}, below the limit you set.', ['Everyday ••12', '€48.20']),
    ],
  },
  {
    id: '9100000000000002',
    name: 'transaction_posted_1',
    language: 'en',
    topic: 'ACCOUNT_UPDATES',
    usecase: 'TRANSACTION_NOTIFICATION',
    industry: ['FINANCIAL_SERVICES'],
    notificationCategory: 'transactions',
    components: [
      body('A payment of {{1}} to {{2}} was posted to your account {{3}} today.', [
        '€12.90',
        'City Books',
        'Everyday ••12',
      ]),
    ],
  },
  {
    id: '9100000000000003',
    name: 'card_payment_check_1',
    language: 'en',
    topic: 'ACCOUNT_UPDATES',
    usecase: 'FRAUD_ALERT',
    industry: ['FINANCIAL_SERVICES'],
    notificationCategory: 'fraud_alerts',
    components: [
      body('We noticed a payment of {{1}} at {{2}} with your card {{3}}. Was it you?', [
        '€950.00',
        'Electro World',
        '••42',
      ]),
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'POSTBACK', text: 'Yes, it was me', payload: 'FRAUD_YES_{{1}}' },
          { type: 'POSTBACK', text: 'No, not me', payload: 'FRAUD_NO_{{1}}' },
          { type: 'POSTBACK', text: 'Lock card', payload: 'FRAUD_LOCK_{{1}}' },
        ],
      },
    ],
  },
  {
    id: '9100000000000004',
    name: 'order_confirmation_1',
    language: 'en',
    topic: 'ORDER_MANAGEMENT',
    usecase: 'ORDER_CONFIRMATION',
    industry: ['E_COMMERCE'],
    notificationCategory: 'receipts',
    components: [
      body('Thank you for your order {{1}}. The total of {{2}} was paid with {{3}}.', ['#1042', '€15.00', 'Visa ••42']),
    ],
  },
  {
    id: '9100000000000005',
    name: 'shipping_update_1',
    language: 'en',
    topic: 'ORDER_MANAGEMENT',
    usecase: 'SHIPPING_UPDATE',
    industry: ['E_COMMERCE'],
    notificationCategory: 'shipping',
    components: [
      body('Your order {{1}} is now {{2}}. We will keep you posted until it arrives.', ['#1042', 'out for delivery']),
    ],
  },
  {
    id: '9100000000000006',
    name: 'appointment_reminder_1',
    language: 'en',
    topic: 'EVENT_REMINDERS',
    usecase: 'APPOINTMENT_REMINDER',
    industry: ['FINANCIAL_SERVICES', 'E_COMMERCE'],
    notificationCategory: 'events',
    components: [
      body('This is a reminder of your appointment about {{1}} on {{2}} at our branch.', [
        'your mortgage',
        '12 May, 10:00',
      ]),
    ],
  },
];

/** Filters of `GET /message_template_library`, as Meta names them. */
export interface LibraryFilters {
  name?: string;
  language?: string;
  topic?: string;
  usecase?: string;
  industry?: string;
  search?: string;
  name_or_content?: string;
}

/** A library template as `GET /message_template_library` shows it (Meta's fields). */
export function presentLibraryTemplate(t: LibraryTemplate): Record<string, unknown> {
  const bodyPart = t.components.find((c) => c.type === 'BODY');
  const buttons = t.components.find((c) => c.type === 'BUTTONS');
  const params = bodyPart?.type === 'BODY' ? (bodyPart.example?.body_text[0] ?? []) : [];
  return {
    name: t.name,
    language: t.language,
    category: 'UTILITY',
    topic: t.topic,
    usecase: t.usecase,
    industry: t.industry,
    body: bodyPart?.type === 'BODY' ? bodyPart.text : '',
    body_params: params,
    body_param_types: params.map(() => 'TEXT'),
    ...(buttons?.type === 'BUTTONS' ? { buttons: buttons.buttons } : {}),
    notification_category: t.notificationCategory,
    id: t.id,
  };
}

/** Library templates matching every given filter (`search` and `name_or_content` match name or body). */
export function searchLibrary(filters: LibraryFilters): LibraryTemplate[] {
  const has = (value: string, needle: string | undefined) =>
    needle === undefined || value.toLowerCase().includes(needle.toLowerCase());
  return TEMPLATE_LIBRARY.filter((t) => {
    const text = `${t.name} ${JSON.stringify(t.components)}`;
    return (
      (filters.name === undefined || t.name === filters.name) &&
      (filters.language === undefined || t.language === filters.language) &&
      (filters.topic === undefined || t.topic === filters.topic.toUpperCase()) &&
      (filters.usecase === undefined || t.usecase === filters.usecase.toUpperCase()) &&
      (filters.industry === undefined || t.industry.includes(filters.industry.toUpperCase())) &&
      has(text, filters.search) &&
      has(text, filters.name_or_content)
    );
  });
}

/** The library template a clone names, in the clone's language. */
export function findLibraryTemplate(name: string, language: string): LibraryTemplate | undefined {
  return TEMPLATE_LIBRARY.find(
    (t) => t.name === name && (t.language === language || language.startsWith(`${t.language}_`)),
  );
}

/**
 * Settles a create request's components and consent category: from the library for a clone,
 * from the request otherwise.
 * @throws PlatformError 100 for an unknown library template, a clone that also sends
 *   components or customisations, or a template without components or category.
 */
export function resolveTemplateRequest(req: CreateMessageTemplateRequest): ResolvedTemplateRequest {
  if (req.library_template_name === undefined) {
    if (req.components === undefined) throw invalid('param components is required', 'components');
    if (req.notification_category === undefined)
      throw invalid(
        'param notification_category is required: the consent category of the template',
        'notification_category',
      );
    return { ...req, components: req.components, notification_category: req.notification_category };
  }
  const source = findLibraryTemplate(req.library_template_name, req.language);
  if (source === undefined) {
    throw invalid(
      `param library_template_name: no library template ${req.library_template_name} in ${req.language} (see GET /message_template_library)`,
      'library_template_name',
    );
  }
  if (
    req.components !== undefined ||
    req.library_template_body_inputs !== undefined ||
    req.library_template_button_inputs !== undefined
  ) {
    throw invalid(
      "param library_template_name: Confide's library templates are cloned as they are (no components, body or button inputs)",
      'library_template_name',
    );
  }
  if (req.notification_category !== undefined && req.notification_category !== source.notificationCategory) {
    throw invalid(
      `param notification_category: ${source.name} is a ${source.notificationCategory} template`,
      'notification_category',
    );
  }
  return { ...req, components: structuredClone(source.components), notification_category: source.notificationCategory };
}

function invalid(message: string, param: string): PlatformError {
  return new PlatformError('INVALID_PARAMETER', { message, detail: { param } });
}
