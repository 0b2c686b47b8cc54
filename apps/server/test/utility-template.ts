/**
 * The card-payment check, the utility template the templates contract and the browser's
 * utility-message test both create and send: a header, a body with two variables, a footer
 * and two buttons (a postback, and a URL with a suffix). Each test keeps its own wording
 * where its assertions read it (the bank in the footer, the body, the postback's payload).
 */

/** What the tests vary besides plain overrides of the template's fields. */
export interface FraudTemplateWording {
  /** The body, with `{{1}}` (amount) and `{{2}}` (merchant). */
  body?: string;
  /** The footer's bank: `<bank> security`. */
  bank?: string;
  /** The postback button's payload. */
  postback?: string;
}

const BODY = 'We noticed a payment of {{1}} at {{2}} with your card. Please confirm whether you made it.';

/** The template (`POST /{page-id}/message_templates` body); `overrides` replace top-level fields. */
export function fraudTemplate(overrides: Record<string, unknown> = {}, wording: FraudTemplateWording = {}) {
  const { body = BODY, bank = 'Sandbox Bank', postback = 'FRAUD_OK' } = wording;
  return {
    name: 'card_payment_check',
    language: 'en_US',
    category: 'UTILITY',
    notification_category: 'fraud_alerts',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Card payment check' },
      { type: 'BODY', text: body, example: { body_text: [['€42.00', 'Coffee Corner']] } },
      { type: 'FOOTER', text: `${bank} security` },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'POSTBACK', text: 'It was me', payload: postback },
          {
            type: 'URL',
            text: 'Review payment',
            url: 'https://bank.example/payments/{{1}}',
            example: { url_suffix_example: 'https://bank.example/payments/p1' },
          },
        ],
      },
    ],
    ...overrides,
  };
}

/**
 * A utility send of the template to `psid` (€42.00 at Coffee Corner, URL suffix `p-8812`);
 * `postback` adds the postback button's parameter. `overrides` replace top-level fields.
 */
export function fraudSend(psid: string, overrides: Record<string, unknown> = {}, postback?: string) {
  const buttons = [
    ...(postback === undefined ? [] : [{ type: 'POSTBACK', payload: postback }]),
    { type: 'URL', url: 'p-8812' },
  ];
  return {
    recipient: { id: psid },
    messaging_type: 'UTILITY',
    message: {
      template: {
        name: 'card_payment_check',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: '€42.00' },
              { type: 'text', text: 'Coffee Corner' },
            ],
          },
          { type: 'buttons', parameters: buttons },
        ],
      },
    },
    ...overrides,
  };
}
