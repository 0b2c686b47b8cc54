/**
 * How the Platform API reads request bodies the way graph.facebook.com does, so generic
 * Graph clients work unchanged (docs/platform-api.md "Request conventions"):
 * - `application/json`: a JSON object; an empty body is an empty object.
 * - `application/x-www-form-urlencoded`, no Content-Type, or any other text type (such as
 *   `text/plain`): decoded by content: a body that is a JSON object is read as JSON, anything
 *   else as a form.
 * - `multipart/form-data`: text fields, and the file of the `filedata` part.
 * Bracket names nest afterwards (graph-brackets.ts), once query and body are merged.
 * Limits: a body holds at most {@link MAX_PARAMS} names.
 */
import multipart from '@fastify/multipart';
import { MAX_ATTACHMENT_BYTES } from '@confide/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidParameter as invalid } from './graph-errors.js';
import type { UploadedFile } from './graph-types.js';

export const MAX_PARAMS = 1000;

/** The decoded body of a Graph request: its fields (flat names) and its uploaded file. */
export interface GraphBody {
  fields: Record<string, unknown>;
  file: UploadedFile | undefined;
}

/**
 * Replaces the scope's body parsers with Graph's, then registers multipart (which adds its
 * own parser for `multipart/form-data`) in this scope only.
 */
export async function installGraphBodyParsers(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  const parse =
    (decode: (text: string) => Record<string, unknown>) =>
    (_req: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
      try {
        done(null, decode(typeof body === 'string' ? body : body.toString('utf8')));
      } catch (err) {
        done(err as Error);
      }
    };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parse(decodeJsonBody));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parse(decodeByContent));
  app.addContentTypeParser('*', { parseAs: 'string' }, parse(decodeByContent));
  await app.register(multipart, {
    limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 2, fields: 100, fieldSize: 1_048_576, parts: 110 },
    throwFileSizeLimit: true,
  });
}

/** A JSON body: an object, or nothing at all (`{}`). */
export function decodeJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid('Body is not valid JSON', err);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('The request body must be an object');
  return value as Record<string, unknown>;
}

/** A body without a trustworthy type: JSON when it is a JSON object, else a form. */
export function decodeByContent(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    try {
      return decodeJsonBody(trimmed);
    } catch {
      // Not JSON after all: a form whose first name starts with a brace.
    }
  }
  return decodeForm(text);
}

/** A form body as flat names; a name that repeats keeps every value (as the query parser does). */
export function decodeForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [name, value] of new URLSearchParams(text)) {
    if (++count > MAX_PARAMS) throw invalid(`A request may carry at most ${MAX_PARAMS} parameters`);
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else out[name] = Array.isArray(seen) ? [...(seen as unknown[]), value] : [seen, value];
  }
  return out;
}

/** Reads the body a parser decoded, or the parts of a multipart body. */
export async function readGraphBody(request: FastifyRequest): Promise<GraphBody> {
  if (request.isMultipart()) return readMultipart(request);
  const body = request.body;
  if (body === undefined || body === null) return { fields: {}, file: undefined };
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('The request body must be an object');
  return { fields: flatten(body), file: undefined };
}

async function readMultipart(request: FastifyRequest): Promise<GraphBody> {
  const fields: Record<string, unknown> = {};
  let file: UploadedFile | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname === 'filedata' && file === undefined)
          file = { data, filename: part.filename, mimetype: part.mimetype };
        continue;
      }
      if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } catch (err) {
    // The multipart parser reports a truncated or malformed body as a plain Error (no code):
    // the client's mistake, not a transient 500 it should retry.
    const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
    if (code === undefined && statusCode === undefined) throw invalid('Malformed multipart body', err);
    throw err;
  }
  return { fields, file };
}

/**
 * Query and form values as a plain record (a value may be an array: names can repeat). Own
 * enumerable names as `Object.entries` gives them, without an array of pairs per request.
 */
export function flatten(source: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (source === null || typeof source !== 'object') return out;
  const record = source as Record<string, unknown>;
  for (const key in record) if (Object.hasOwn(record, key)) out[key] = record[key];
  return out;
}

/** Query and form values may repeat; Graph takes the first. */
export function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}
