/**
 * The Graph batch API, `POST /` with `batch=[{method, relative_url, body}]` (≤ 50). Each
 * operation runs in process (`inject`) with the caller's token unless it carries its own,
 * concurrently (in batch order per recipient), and is answered `{code, headers, body}` with the body as a JSON
 * string, as Graph does.
 */
import { BatchRequestSchema, PlatformError, toGraphEnvelope, type BatchResponseItem } from '@confide/protocol';
import type { FastifyInstance } from 'fastify';
import { parseParams, type GraphCall } from '../../http/graph-request.js';

const ANSWERED_HEADERS = ['content-type', 'www-authenticate', 'retry-after'];

export async function runBatch(app: FastifyInstance, call: GraphCall, traceId: string): Promise<BatchResponseItem[]> {
  const { batch, include_headers } = parseParams(BatchRequestSchema, call.params);
  const withHeaders = include_headers ?? true;
  // Operations run concurrently, so their writes share group commits instead of waiting
  // for 50 commits in a row; operations to the same recipient stay in batch order.
  const chains = new Map<string, Promise<unknown>>();
  const items = batch.map((op, index) => {
    const key = recipientKey(op.body) ?? `#${index}`;
    const run = (chains.get(key) ?? Promise.resolve()).then(() => runOperation(app, call, op, withHeaders, traceId));
    chains.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  });
  return Promise.all(items);
}

async function runOperation(
  app: FastifyInstance,
  call: GraphCall,
  op: { method: string; relative_url: string; body?: string | undefined },
  withHeaders: boolean,
  traceId: string,
): Promise<BatchResponseItem> {
  const url = `/${op.relative_url.replace(/^\/+/, '')}`;
  const path = url.split('?')[0] as string;
  if (path === '/' || /^\/v\d+\.\d+\/?$/.test(path)) return errorItem('A batch operation cannot itself be a batch', traceId);
  const res = await app.inject({
    method: op.method as 'GET',
    url,
    headers: {
      authorization: `Bearer ${call.token}`,
      ...(op.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    ...(op.body === undefined ? {} : { payload: op.body }),
  });
  const item: BatchResponseItem = { code: res.statusCode, body: res.body };
  if (withHeaders) {
    item.headers = ANSWERED_HEADERS.flatMap((name) => {
      const value = res.headers[name];
      return value === undefined ? [] : [{ name: name.replace(/(^|-)(\w)/g, (_m, dash: string, c: string) => dash + c.toUpperCase()), value: String(value) }];
    });
  }
  return item;
}

/** The `recipient` of a form-encoded operation body, used to keep per-recipient order. */
function recipientKey(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  return new URLSearchParams(body).get('recipient') ?? undefined;
}

function errorItem(message: string, traceId: string): BatchResponseItem {
  return { code: 400, body: JSON.stringify(toGraphEnvelope(new PlatformError('INVALID_PARAMETER', { message }), traceId)) };
}
