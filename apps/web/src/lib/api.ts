/**
 * The customer API client. Every call goes to the same origin with the session cookie;
 * failures become `ApiError` carrying the hub's stable error code.
 */
import type {
  ChatMessage,
  Conversation,
  CredentialsBody,
  Customer,
  MessagePage,
  PageProfile,
  PageSummary,
  SearchResult,
  SendChatMessageBody,
} from '@confide/protocol';
import { noteAnswer, noteUnreachable } from './offline';

/** A non-2xx answer from the hub (or a network failure, with status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;
  /** True when the hub's message is a validation report (field paths), not words for a person. */
  readonly schemaReport: boolean;
  constructor(code: string, message: string, status: number, requestId?: string, schemaReport = false) {
    super(message);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.schemaReport = schemaReport;
  }
}

export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;

/**
 * What the customer reads for an error code. The hub's own messages are precise for
 * developers (schema paths, limits); a person gets a sentence. Codes not listed keep the
 * hub's message, which is written for people (e.g. "That username is already taken.").
 */
const HUMAN_MESSAGES: Readonly<Record<string, string>> = {
  BAD_REQUEST: 'Some of what you entered is not valid. Check it and try again.',
  PAYLOAD_TOO_LARGE: 'That is too large to send.',
  UNSUPPORTED_MEDIA_TYPE: 'That kind of content cannot be sent here.',
  TOO_MANY_REQUESTS: 'Too many attempts. Wait a few minutes, then try again.',
  UNAVAILABLE: 'Confide is briefly unavailable. Try again in a moment.',
  INTERNAL: 'Something went wrong on our side. Try again in a moment.',
  FORBIDDEN_ORIGIN: 'This page is out of date. Reload it and try again.',
  UNAUTHENTICATED: 'Your session has ended. Log in again to continue.',
};

/** Hub messages of these codes are written for people and kept as they are. */
const HUB_WORDS_FOR_PEOPLE = new Set(['BAD_REQUEST']);

/**
 * A human sentence for any error thrown by the API client; `overrides` words a code for
 * the screen at hand (a password-only confirmation is not a "wrong username").
 */
export function describeError(err: unknown, overrides: Readonly<Record<string, string>> = {}): string {
  if (!isApiError(err)) return 'Something went wrong. Please try again.';
  if (err.status === 0) return 'You appear to be offline. Try again in a moment.';
  const override = overrides[err.code];
  if (override !== undefined) return override;
  // A refusal the hub explains in words (not a schema report) is shown as written.
  if (HUB_WORDS_FOR_PEOPLE.has(err.code) && !err.schemaReport) return err.message;
  return HUMAN_MESSAGES[err.code] ?? (err.status >= 500 ? HUMAN_MESSAGES['INTERNAL']! : err.message);
}

/** A business's consent request as its customer sees it (features/thread/templates/consent-request.tsx). */
export interface ConsentRequestView {
  id: string;
  page: { id: string; name: string };
  categories: Array<{ category: string; purpose: string }>;
  status: 'open' | 'allowed' | 'declined';
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Sends one request; a JSON body only when given (POST …/read must carry none). */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    noteUnreachable();
    throw new ApiError('NETWORK', 'Network unavailable', 0);
  }
  noteAnswer(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data: unknown = text === '' ? undefined : safeJson(text);
  if (!res.ok) throw toApiError(res.status, data);
  return data as T;
}

function toApiError(status: number, data: unknown): ApiError {
  const error =
    typeof data === 'object' && data !== null && 'error' in data ? (data as { error: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown; request_id?: unknown; detail?: { issues?: unknown } };
    return new ApiError(
      typeof e.code === 'string' ? e.code : 'HTTP_' + status,
      typeof e.message === 'string' ? e.message : `Request failed (${status})`,
      status,
      typeof e.request_id === 'string' ? e.request_id : undefined,
      Array.isArray(e.detail?.issues) ||
        (typeof e.message === 'string' && /^(body|querystring|params)\b|Malformed|not valid JSON/.test(e.message)),
    );
  }
  return new ApiError('HTTP_' + status, `Request failed (${status})`, status);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const id = (value: string) => encodeURIComponent(value);

/** The customer API, one function per endpoint. */
export const api = {
  search: (q: string, conversationId?: string) =>
    request<SearchResult>(
      'GET',
      `/api/search?q=${encodeURIComponent(q)}${conversationId === undefined ? '' : `&conversation_id=${id(conversationId)}`}`,
    ),
  me: () => request<{ customer: Customer }>('GET', '/api/me'),
  signUp: (body: CredentialsBody) => request<{ customer: Customer }>('POST', '/api/signup', body),
  logIn: (body: CredentialsBody) => request<{ customer: Customer }>('POST', '/api/login', body),
  logOut: () => request<void>('POST', '/api/logout'),
  searchPages: (q: string) => request<{ data: PageSummary[] }>('GET', `/api/pages?q=${encodeURIComponent(q)}`),
  openConversation: (pageId: string) => request<Conversation>('POST', '/api/conversations', { page_id: pageId }),
  conversations: () => request<{ data: Conversation[] }>('GET', '/api/conversations'),
  conversation: (conversationId: string) => request<Conversation>('GET', `/api/conversations/${id(conversationId)}`),
  messages: (conversationId: string, before?: string) =>
    request<MessagePage>(
      'GET',
      `/api/conversations/${id(conversationId)}/messages?limit=30${before === undefined ? '' : `&before=${id(before)}`}`,
    ),
  send: (conversationId: string, body: SendChatMessageBody) =>
    request<ChatMessage>('POST', `/api/conversations/${id(conversationId)}/messages`, body),
  profile: (conversationId: string, locale?: string) =>
    request<PageProfile>(
      'GET',
      `/api/conversations/${id(conversationId)}/profile${locale === undefined ? '' : `?locale=${id(locale)}`}`,
    ),
  markRead: (conversationId: string) =>
    request<{ watermark: number }>('POST', `/api/conversations/${id(conversationId)}/read`),
  consentRequest: (requestId: string) => request<ConsentRequestView>('GET', `/api/consent-requests/${id(requestId)}`),
  answerConsentRequest: (requestId: string, body: { allow: boolean; categories?: string[] }) =>
    request<ConsentRequestView>('POST', `/api/consent-requests/${id(requestId)}/answer`, body),
};
