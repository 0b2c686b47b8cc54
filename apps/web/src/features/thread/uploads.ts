/**
 * Files the customer sends from the composer (picker, paste, drag and drop): checked here
 * for type and size with words a person understands, then uploaded as raw bytes so the
 * bubble shows real progress. The hub checks again from the bytes themselves.
 */
import { CUSTOMER_UPLOAD_TYPES, MAX_CUSTOMER_UPLOAD_BYTES, type ChatMessage } from '@confide/protocol';
import { ApiError, describeError } from '../../lib/api';
import { createStore, useStore } from '../../lib/store';
import { toast } from '../../components/toasts';
import { addMessage } from '../conversations/messenger-state';
import { messenger } from '../conversations/messenger';

/** A file on its way (or that failed), shown as a bubble with its progress. */
export interface Upload {
  id: string;
  conversationId: string;
  file: File;
  kind: 'image' | 'file';
  /** 0 to 1. */
  progress: number;
  error: string | null;
  /** A local preview of a photo (an object URL), revoked when the upload ends. */
  previewUrl: string | null;
}

const uploads = createStore<Upload[]>([]);
export const useUploads = (conversationId: string): Upload[] =>
  useStore(uploads, (list) => list).filter((u) => u.conversationId === conversationId);

/** What the file picker offers. */
export const ACCEPTED_TYPES = Object.keys(CUSTOMER_UPLOAD_TYPES).join(',');
const MAX_MB = MAX_CUSTOMER_UPLOAD_BYTES / 1024 / 1024;
/** More files than this at once is almost certainly a mistake (a whole folder dropped). */
const MAX_AT_ONCE = 10;

/** Why this file cannot be sent, in words; null when it can. */
export function refusal(file: Pick<File, 'name' | 'size' | 'type'>): string | null {
  if (!(file.type in CUSTOMER_UPLOAD_TYPES))
    return `“${file.name}” can’t be sent: only photos (JPEG, PNG, GIF, WebP) and PDF documents.`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > MAX_CUSTOMER_UPLOAD_BYTES)
    return `“${file.name}” is ${(file.size / 1024 / 1024).toFixed(1)} MB; files can be up to ${MAX_MB} MB.`;
  return null;
}

let seq = 0;

/** Sends each acceptable file in turn; refused ones are explained in a toast. */
export function sendFiles(conversationId: string, files: readonly File[]): void {
  if (files.length > MAX_AT_ONCE) {
    toast(`You can send up to ${MAX_AT_ONCE} files at once.`, 'error');
    return;
  }
  for (const file of files) {
    const why = refusal(file);
    if (why !== null) {
      toast(why, 'error', 8000);
      continue;
    }
    const kind = CUSTOMER_UPLOAD_TYPES[file.type as keyof typeof CUSTOMER_UPLOAD_TYPES];
    const upload: Upload = {
      id: `up-${++seq}`,
      conversationId,
      file,
      kind,
      progress: 0,
      error: null,
      previewUrl: kind === 'image' && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null,
    };
    uploads.set((list) => [...list, upload]);
    void start(upload);
  }
}

export function retryUpload(id: string): void {
  const upload = uploads.get().find((u) => u.id === id);
  if (upload === undefined) return;
  update(id, { progress: 0, error: null });
  void start(upload);
}

export function discardUpload(id: string): void {
  const upload = uploads.get().find((u) => u.id === id);
  if (upload?.previewUrl) URL.revokeObjectURL(upload.previewUrl);
  uploads.set((list) => list.filter((u) => u.id !== id));
}

function update(id: string, change: Partial<Upload>): void {
  uploads.set((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));
}

async function start(upload: Upload): Promise<void> {
  try {
    const message = await post(upload, (progress) => update(upload.id, { progress }));
    messenger.set((s) => addMessage(s, message, true));
    discardUpload(upload.id);
  } catch (err) {
    // The hub words its type and size refusals for people ("Files can be up to 10 MB.").
    const hubWords =
      err instanceof ApiError && (err.code === 'PAYLOAD_TOO_LARGE' || err.code === 'UNSUPPORTED_MEDIA_TYPE')
        ? err.message
        : undefined;
    update(upload.id, { error: hubWords ?? describeError(err) });
  }
}

/** POSTs the bytes with XMLHttpRequest, the one browser API that reports upload progress. */
function post(upload: Upload, onProgress: (fraction: number) => void): Promise<ChatMessage> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(
      'POST',
      `/api/conversations/${encodeURIComponent(upload.conversationId)}/attachments?name=${encodeURIComponent(upload.file.name)}`,
    );
    xhr.setRequestHeader('content-type', upload.file.type);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError('NETWORK', 'Network unavailable', 0));
    xhr.onload = () => {
      let data: unknown;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = undefined;
      }
      if (xhr.status === 201 && data !== undefined) resolve(data as ChatMessage);
      else {
        const e = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
        reject(
          new ApiError(e?.code ?? `HTTP_${xhr.status}`, e?.message ?? `Upload failed (${xhr.status})`, xhr.status),
        );
      }
    };
    xhr.send(upload.file);
  });
}
