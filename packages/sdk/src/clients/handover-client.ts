/**
 * @module clients/handover-client
 * The handover protocol (reference §9): move a thread between the bot, other apps and
 * the human-agent inbox.
 */
import { PAGE_INBOX_APP_ID as PAGE_INBOX_APP_ID_STRING } from '@confide/protocol';
import type { HttpTransport } from '../transport/http-transport.js';

/**
 * App id of the page inbox (human agents), as on Messenger. The value comes from
 * `@confide/protocol`, which holds it as a string (the hub stores app ids as strings and
 * sends strings in handover events and `thread_owner`). The SDK has exported it as a
 * number since 0.1.0, as Messenger documents it for `target_app_id` and sends it in an
 * echo's `app_id`; it stays a number so code that uses it as one keeps compiling.
 * Compare with a string id through `String(PAGE_INBOX_APP_ID)`.
 */
export const PAGE_INBOX_APP_ID: number = Number(PAGE_INBOX_APP_ID_STRING);

/** `{"success": true}` of the control calls. */
export interface HandoverResponse {
  success: boolean;
}

/** An app that may take part in handover. */
export interface SecondaryReceiver {
  id: string;
  name?: string;
}

/** Passes, takes, requests and releases thread control. */
export class HandoverClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  #control(action: string, psid: string, extra: Record<string, unknown>): Promise<HandoverResponse> {
    return this.#transport.post<HandoverResponse>(`/me/${action}`, { recipient: { id: psid }, ...extra });
  }

  /**
   * Gives the thread to another app, which receives `pass_thread_control`.
   * @param targetAppId the receiving app.
   * @param metadata passed through to the receiver.
   */
  passThreadControl(psid: string, targetAppId: string | number, metadata?: string): Promise<HandoverResponse> {
    return this.#control('pass_thread_control', psid, {
      target_app_id: targetAppId,
      ...(metadata !== undefined && { metadata }),
    });
  }

  /**
   * Hands the thread to the human-agent inbox (app id 263902037430900).
   * @example
   * await platform.handover.passToInbox(psid, 'customer asked for an agent');
   */
  passToInbox(psid: string, metadata?: string): Promise<HandoverResponse> {
    return this.passThreadControl(psid, PAGE_INBOX_APP_ID, metadata);
  }

  /** Takes the thread back (primary receiver); the previous owner gets `take_thread_control`. */
  takeThreadControl(psid: string, metadata?: string): Promise<HandoverResponse> {
    return this.#control('take_thread_control', psid, metadata === undefined ? {} : { metadata });
  }

  /** Asks the current owner for the thread; it gets `request_thread_control`. */
  requestThreadControl(psid: string, metadata?: string): Promise<HandoverResponse> {
    return this.#control('request_thread_control', psid, metadata === undefined ? {} : { metadata });
  }

  /** Returns the thread to idle so any app may take it. */
  releaseThreadControl(psid: string, metadata?: string): Promise<HandoverResponse> {
    return this.#control('release_thread_control', psid, metadata === undefined ? {} : { metadata });
  }

  /** The app that owns the thread now, or undefined when idle. */
  async getThreadOwner(psid: string): Promise<string | undefined> {
    const res = await this.#transport.get<{ data?: { thread_owner?: { app_id: string | number } }[] }>(
      '/me/thread_owner',
      {
        recipient: psid,
      },
    );
    const appId = res.data?.[0]?.thread_owner?.app_id;
    return appId === undefined ? undefined : String(appId);
  }

  /** Apps with the secondary-receiver role on the page (primary receiver only). */
  async getSecondaryReceivers(fields: (keyof SecondaryReceiver)[] = ['id', 'name']): Promise<SecondaryReceiver[]> {
    const res = await this.#transport.get<{ data?: SecondaryReceiver[] }>('/me/secondary_receivers', {
      fields: fields.join(','),
    });
    return res.data ?? [];
  }
}
