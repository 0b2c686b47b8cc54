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
import {
  parseParams,
  type GraphCall,
  type GraphCallMeta,
  type GraphMatch,
  type GraphRouter,
} from '../../http/graph-request.js';

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
  // The last operation of each recipient so far. An operation never rejects (it answers its
  // error as an item), so the next one to the same recipient simply runs after it.
  const chains = new Map<string, Promise<BatchResponseItem>>();
  // Most batches repeat one endpoint (50 × `me/messages`): each URL is matched once.
  const targets = new Map<string, Target>();
  const items = batch.map((op, index) => {
    const fields = parseForm(op.body ?? '');
    // Operations to the same recipient keep batch order (compared by the raw first `recipient` value).
    const recipient: unknown = Array.isArray(fields['recipient']) ? fields['recipient'][0] : fields['recipient'];
    const key = typeof recipient === 'string' ? recipient : `#${index}`;
    const before = chains.get(key);
    const run =
      before === undefined
        ? runOperation(router, call, op, fields, meta, targets)
        : before.then(() => runOperation(router, call, op, fields, meta, targets));
    chains.set(key, run);
    return run;
  });
  const answers = await Promise.all(items);
  return withHeaders ? answers : answers.map(({ code, body }) => ({ code, body }));
}

/** The endpoint an operation's method and relative URL name, with the URL's query. */
interface Target {
  match: GraphMatch;
  query: Record<string, unknown>;
}

/** The operation's endpoint, from `targets` when an earlier operation named the same one; throws what its request would answer. */
function targetOf(router: GraphRouter, op: Operation, targets: Map<string, Target>): Target {
  const method = op.method.toUpperCase();
  const known = targets.get(`${method} ${op.relative_url}`);
  if (known !== undefined) return known;
  const url = `/${op.relative_url.replace(/^\/+/, '')}`;
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (path === '/' || /^\/v\d+\.\d+\/?$/.test(path))
    throw new PlatformError('INVALID_PARAMETER', { message: 'A batch operation cannot itself be a batch' });
  const match = router.match(method, path);
  if (match === undefined) throw new PlatformError('UNKNOWN_OBJECT');
  // Shared by the operations that name it: buildCall copies what it takes of both, changing neither.
  const target = { match, query: parseForm(queryAt === -1 ? '' : url.slice(queryAt + 1)) };
  targets.set(`${method} ${op.relative_url}`, target);
  return target;
}

async function runOperation(
  router: GraphRouter,
  parent: GraphCall,
  op: Operation,
  fields: Record<string, unknown>,
  meta: GraphCallMeta,
  targets: Map<string, Target>,
): Promise<BatchResponseItem> {
  try {
    const { match, query } = targetOf(router, op, targets);
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
