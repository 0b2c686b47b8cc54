/**
 * @module clients/transcripts-client
 * Signed conversation transcripts: what the customer saw in a conversation, as a compact JWS
 * signed by the hub (ES256). Verify it with any JOSE library against the hub's
 * `/.well-known/jwks.json` before filing it, e.g. with `jose`:
 * `jwtVerify(transcript, createRemoteJWKSet(new URL('/.well-known/jwks.json', hubUrl)))`.
 */
import type { TranscriptResponse } from '@confide/protocol';
import type { HttpTransport } from '../transport/http-transport.js';

export interface TranscriptOptions {
  /** Unix seconds, inclusive. */
  since?: number;
  /** Unix seconds, exclusive. */
  until?: number;
  /** Newest messages kept, 1–5000 (default 1000); `truncated` says when more matched. */
  limit?: number;
}

export class TranscriptsClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * The signed transcript of the conversation with `psid`.
   * @throws {PlatformApiError} code 100 / subcode 2018001 when the PSID is not the page's customer.
   * @example
   * const { transcript } = await platform.transcripts.get(psid, { since: caseOpenedAt });
   */
  get(psid: string, options: TranscriptOptions = {}): Promise<TranscriptResponse> {
    return this.#transport.get<TranscriptResponse>('/me/transcripts', { recipient: psid, ...options });
  }
}
