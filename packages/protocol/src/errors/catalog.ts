/**
 * The one catalogue of errors Confide speaks, on the Platform API (Graph envelope) and
 * on the customer API. Codes and subcodes follow Meta's Messenger Platform so existing
 * clients classify them correctly; Confide's own additions sit in the 1_400_000 range of
 * subcodes and are documented here and in the README.
 *
 * `status` is the HTTP status. Graph answers most errors with 400; we keep that on the
 * Platform API and use precise statuses on the customer API.
 */
export const ERROR_CATALOG = {
  // ---- Platform API (Graph-compatible) ----
  /** Any unexpected server failure; the message is never exposed. */
  INTERNAL: {
    code: 2,
    type: 'OAuthException',
    status: 500,
    message: 'An unexpected error has occurred. Please retry your request later.',
  },
  /** Malformed or invalid parameter. */
  INVALID_PARAMETER: { code: 100, type: 'OAuthException', status: 400, message: 'Invalid parameter' },
  /** Unknown object id or unsupported path. */
  UNKNOWN_OBJECT: {
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    status: 400,
    message:
      'Unsupported request. Object does not exist, cannot be loaded due to missing permissions, or does not support this operation.',
  },
  /** Recipient PSID does not belong to this page. */
  NO_MATCHING_USER: {
    code: 100,
    subcode: 2018001,
    type: 'OAuthException',
    status: 400,
    message: 'No matching user found',
  },
  /** `message` and `sender_action` in one request. */
  MESSAGE_AND_ACTION: {
    code: 100,
    subcode: 2018014,
    type: 'OAuthException',
    status: 400,
    message: 'Cannot send both message and state at the same time',
  },
  /** Attachment upload failed or was unusable. */
  ATTACHMENT_UPLOAD_FAILED: {
    code: 100,
    subcode: 2018047,
    type: 'OAuthException',
    status: 400,
    message: 'Upload attachment failure.',
  },
  /** Attachment larger than the limit. */
  ATTACHMENT_TOO_LARGE: {
    code: 100,
    subcode: 2018109,
    type: 'OAuthException',
    status: 400,
    message: 'Attachment size exceeds allowable limit.',
  },
  /** Missing, unknown or revoked page access token, or a bad appsecret_proof. */
  INVALID_ACCESS_TOKEN: { code: 190, type: 'OAuthException', status: 400, message: 'Invalid OAuth access token.' },
  /** Generic permission error. */
  PERMISSION_DENIED: { code: 10, type: 'OAuthException', status: 400, message: 'Permission denied' },
  /** RESPONSE/UPDATE outside 24 h, HUMAN_AGENT outside 7 days or not from an agent. */
  OUTSIDE_WINDOW: {
    code: 10,
    subcode: 2018278,
    type: 'OAuthException',
    status: 400,
    message: 'This message is sent outside of allowed window.',
  },
  /**
   * Confide: a proactive update (MESSAGE_TAG) whose category the customer has not granted,
   * or whose grant has expired or was revoked. Nothing is stored.
   */
  CONSENT_REQUIRED: {
    code: 10,
    subcode: 1400001,
    type: 'OAuthException',
    status: 400,
    message: 'The customer has not allowed this category of update from this business.',
  },
  /** The customer is unavailable (deleted or blocked the page). */
  USER_UNAVAILABLE: {
    code: 551,
    type: 'OAuthException',
    status: 400,
    message: "This person isn't available right now.",
  },
  /** Per-page send rate exceeded. */
  RATE_LIMITED: {
    code: 613,
    type: 'OAuthException',
    status: 400,
    message: 'Calls to this api have exceeded the rate limit.',
  },
  /** Sender is not the thread owner under the handover protocol. */
  NOT_THREAD_OWNER: {
    code: 2018300,
    type: 'OAuthException',
    status: 400,
    message: 'Message failed to send because another app is controlling this thread now.',
  },
  /** Handover call from an app that is neither primary nor secondary receiver. */
  NOT_A_RECEIVER: {
    code: 2018171,
    type: 'OAuthException',
    status: 400,
    message: 'Only available to Primary and Secondary Receivers.',
  },
  /** Bad, reused or expired account_linking_token. */
  INVALID_LINKING_TOKEN: {
    code: 10303,
    type: 'OAuthException',
    status: 400,
    message: 'Account Linking Error: Invalid account_linking_token.',
  },
  /** A page access token (or none) on an endpoint that takes an app access token (`{app-id}|{app-secret}`). */
  APP_TOKEN_REQUIRED: {
    code: 15,
    type: 'OAuthException',
    status: 400,
    message: 'This method must be called with an app access_token.',
  },
  /** A feature Meta retired (Recurring Notifications, App Events for Messenger); the message says which and since when. */
  FEATURE_RETIRED: {
    code: 12,
    type: 'OAuthException',
    status: 400,
    message: 'This feature is deprecated and no longer available.',
  },

  // ---- Customer API ----
  /** Body is not valid JSON or fails validation. */
  BAD_REQUEST: { code: 100, type: 'ConfideException', status: 400, message: 'The request is invalid.' },
  /** Body too large. */
  PAYLOAD_TOO_LARGE: {
    code: 100,
    subcode: 1400002,
    type: 'ConfideException',
    status: 413,
    message: 'The request body is too large.',
  },
  /** Not logged in or session expired. */
  UNAUTHENTICATED: {
    code: 190,
    subcode: 1400003,
    type: 'ConfideException',
    status: 401,
    message: 'Log in to continue.',
  },
  /** Wrong username or password. */
  INVALID_CREDENTIALS: {
    code: 190,
    subcode: 1400004,
    type: 'ConfideException',
    status: 401,
    message: 'Wrong username or password.',
  },
  /** The username is already taken. */
  USERNAME_TAKEN: {
    code: 100,
    subcode: 1400005,
    type: 'ConfideException',
    status: 409,
    message: 'That username is already taken.',
  },
  /** Cross-site request or bad Origin on a state-changing call. */
  FORBIDDEN_ORIGIN: {
    code: 10,
    subcode: 1400006,
    type: 'ConfideException',
    status: 403,
    message: 'Cross-origin request refused.',
  },
  /** Not allowed for this caller. */
  FORBIDDEN: {
    code: 10,
    subcode: 1400007,
    type: 'ConfideException',
    status: 403,
    message: 'You are not allowed to do that.',
  },
  /** Unknown id, or an id that belongs to someone else (no oracle). */
  NOT_FOUND: { code: 100, subcode: 1400008, type: 'ConfideException', status: 404, message: 'Not found.' },
  /** Too many login attempts or requests. */
  TOO_MANY_REQUESTS: {
    code: 4,
    subcode: 1400009,
    type: 'ConfideException',
    status: 429,
    message: 'Too many attempts. Try again later.',
  },
  /** Unsupported media type. */
  UNSUPPORTED_MEDIA_TYPE: {
    code: 100,
    subcode: 1400010,
    type: 'ConfideException',
    status: 415,
    message: 'Unsupported content type.',
  },
  /** Service temporarily unavailable (database down, shutting down). */
  UNAVAILABLE: {
    code: 2,
    subcode: 1400011,
    type: 'ConfideException',
    status: 503,
    message: 'The service is temporarily unavailable. Please retry.',
  },
  /** Agent inbox: another agent has already taken the conversation. */
  CONVERSATION_TAKEN: {
    code: 100,
    subcode: 1400012,
    type: 'ConfideException',
    status: 409,
    message: 'Another agent has taken this conversation.',
  },
  /** Agent inbox: resolving or snoozing a conversation nobody has taken. */
  CONVERSATION_NOT_ASSIGNED: {
    code: 100,
    subcode: 1400013,
    type: 'ConfideException',
    status: 409,
    message: 'Take the conversation before resolving or snoozing it.',
  },
  /** Agent inbox: the conversation is resolved (it reopens when the customer writes again). */
  CONVERSATION_RESOLVED: {
    code: 100,
    subcode: 1400014,
    type: 'ConfideException',
    status: 409,
    message: 'This conversation is resolved.',
  },
  /** Four-eyes: the agent who asked for an approval cannot decide it. */
  APPROVAL_OWN_REQUEST: {
    code: 10,
    subcode: 1400015,
    type: 'ConfideException',
    status: 403,
    message: 'You cannot decide your own approval request: another supervisor must.',
  },
  /** Four-eyes: the approval request was already approved or rejected. */
  APPROVAL_DECIDED: {
    code: 100,
    subcode: 1400016,
    type: 'ConfideException',
    status: 409,
    message: 'This approval request has already been decided.',
  },
} as const satisfies Record<string, ErrorSpec>;

/** The shape of one catalogue entry. */
export interface ErrorSpec {
  readonly code: number;
  readonly subcode?: number;
  readonly type: string;
  readonly status: number;
  readonly message: string;
}

/** Stable key of a catalogue entry, e.g. `OUTSIDE_WINDOW`. */
export type ErrorKey = keyof typeof ERROR_CATALOG;
