/**
 * The closed list of reasons the hub may decrypt customer content. Anything else is
 * refused at runtime (and audited), whatever the type checker was told.
 */
/**
 * `assistant_relay`: the customer's own assistant (features/assistant) reads their
 * conversations for them, under the grant they gave it on the hub's consent screen.
 */
export const PURPOSES = [
  'deliver_to_customer',
  'deliver_to_business',
  'agent_support',
  'customer_export',
  'assistant_relay',
] as const;

export type Purpose = (typeof PURPOSES)[number];

/** Why and for whom content is opened: `actor` is an id such as `customer:…`, `agent:…`, `app:…`, `worker`. */
export interface Access {
  readonly purpose: Purpose;
  readonly actor: string;
}

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}

/** Thrown when content is requested without an allowed purpose. */
export class PurposeDeniedError extends Error {
  override readonly name = 'PurposeDeniedError';
}

/** Thrown when the key of the content was destroyed (customer erased, history erased). */
export class ContentErasedError extends Error {
  override readonly name = 'ContentErasedError';
}
