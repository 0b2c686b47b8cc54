/**
 * @module clients/attachments-client
 * The Attachment Upload API (`POST /me/message_attachments`): upload once, send many
 * times by `attachment_id`.
 */
import type { HttpTransport } from '../transport/http-transport.js';
import type { MediaType } from './message-types.js';

/** What to upload: a file's bytes (sent as multipart) or a URL the hub fetches. */
export type UploadInput =
  | { type: MediaType; file: Blob; filename?: string; isReusable?: boolean }
  | { type: MediaType; url: string; isReusable?: boolean };

/** Response of an upload. */
export interface UploadResponse {
  attachment_id: string;
}

/** Uploads reusable media. */
export class AttachmentsClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * Uploads media. Bytes go as `multipart/form-data` with the `message` field (JSON) and
   * the `filedata` file, as Meta's clients send them; a URL goes as JSON.
   * @returns the `attachment_id` to use with `MessagesClient.sendAttachmentId`.
   * @example
   * const { attachment_id } = await platform.attachments.upload({
   *   type: 'file',
   *   file: new Blob([pdfBytes], { type: 'application/pdf' }),
   *   filename: 'statement.pdf',
   * });
   */
  upload(input: UploadInput): Promise<UploadResponse> {
    const isReusable = input.isReusable ?? true;
    if ('url' in input) {
      const message = { attachment: { type: input.type, payload: { url: input.url, is_reusable: isReusable } } };
      return this.#transport.post<UploadResponse>('/me/message_attachments', { message });
    }
    const form = new FormData();
    form.set('message', JSON.stringify({ attachment: { type: input.type, payload: { is_reusable: isReusable } } }));
    form.set('filedata', input.file, input.filename ?? defaultFilename(input.type));
    return this.#transport.post<UploadResponse>('/me/message_attachments', form);
  }
}

const defaultFilename = (type: MediaType): string =>
  `upload.${type === 'image' ? 'png' : type === 'file' ? 'bin' : type}`;
