/**
 * The Graph batch API, `POST /` with `batch=[{method, relative_url, body}]` (≤ 50). Each
 * operation is dispatched in process to the endpoint that serves it (the Graph router's own
 * matcher, no fake HTTP request), with the caller's token unless it carries its own. They
 * run concurrently, so their writes share group commits, except that operations to the same
 * recipient keep batch order. Each is answered `{code, headers, body}` with the body as a
 * JSON string, as Graph does.
 */
import { BatchRequestSchema, PlatformError, toGraphEnvelope, type BatchResponseItem } from '@confide/protocol';
import { toPlatformError } from '../../http/errors.js';
import { parseParams, type GraphCall, type GraphCallMeta, type GraphRouter } from '../../http/graph-request.js';

type Operation = { method: string; relative_url: string; body?: string | undefined };
type Header = { name: string; value: string };

const JSON_TYPE: Header = { name: 'Content-Type', value: 'application/json; charset=utf-8' };

export async function runBatch(
  router: GraphRouter,
  call: GraphCall,
  meta: GraphCallMeta,
): Promise<BatchResponseItem[]> {
  const { batch, include_headers } = parseParams(BatchRequestSchema, call.params);
  const withHeaders = include_headers ?? true;
  const chains = new Map<string, Promise<unknown>>();
  const items = batch.map((op, index) => {
    const fields = parseForm(op.body ?? '');
    // Operations to the same recipient keep batch order (compared by the raw first `recipient` value).
    const recipient: unknown = Array.isArray(fields['recipient']) ? fields['recipient'][0] : fields['recipient'];
    const key = typeof recipient === 'string' ? recipient : `#${index}`;
    const run = (chains.get(key) ?? Promise.resolve()).then(() => runOperation(router, call, op, fields, meta));
    chains.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  });
  const answers = await Promise.all(items);
  return withHeaders ? answers : answers.map(({ code, body }) => ({ code, body }));
}

async function runOperation(
  router: GraphRouter,
  parent: GraphCall,
  op: Operation,
  fields: Record<string, unknown>,
  meta: GraphCallMeta,
): Promise<BatchResponseItem> {
  try {
    const url = `/${op.relative_url.replace(/^\/+/, '')}`;
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (path === '/' || /^\/v\d+\.\d+\/?$/.test(path))
      throw new PlatformError('INVALID_PARAMETER', { message: 'A batch operation cannot itself be a batch' });
    const match = router.match(op.method.toUpperCase(), path);
    if (match === undefined) throw new PlatformError('UNKNOWN_OBJECT');
    const query = parseForm(queryAt === -1 ? '' : url.slice(queryAt + 1));
    const result = await match.handler(await router.subCall(parent, query, fields, match), meta);
    return { code: 200, headers: [JSON_TYPE], body: JSON.stringify(result) };
  } catch (err) {
    return errorItem(err, meta);
  }
}

/** The answer an HTTP request would have had (http/errors.ts `sendError`), as a batch item. */
function errorItem(err: unknown, meta: GraphCallMeta): BatchResponseItem {
  const error = toPlatformError(err, false);
  if (error.status >= 500) meta.log.error({ err, key: error.key }, 'batch operation failed');
  const headers: Header[] = [JSON_TYPE];
  if (error.spec.code === 190)
    headers.push({
      name: 'WWW-Authenticate',
      value: `OAuth "Facebook Platform" "invalid_token" "${error.spec.message}"`,
    });
  const retryAfter = error.headers?.['retry-after'];
  if (retryAfter !== undefined) headers.push({ name: 'Retry-After', value: String(retryAfter) });
  const code = error.status === 500 || error.status === 503 ? error.status : 400;
  return { code, headers, body: JSON.stringify(toGraphEnvelope(error, meta.requestId)) };
}

/** A query string or form body: one value per name, or every value when a name repeats (as the HTTP parsers give them). */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else out[name] = Array.isArray(seen) ? [...(seen as string[]), value] : [seen, value];
  }
  return out;
}
