/**
 * The Graph batch API, `POST /` with `batch=[{method, relative_url, body}]` (≤ 50). Each
 * operation runs in process (`inject`) with the caller's token unless it carries its own,
 * one after the other, and is answered `{code, headers, body}` with the body as a JSON
 * string, as Graph does.
 */
import { BatchRequestSchema, PlatformError, toGraphEnvelope, type BatchResponseItem } from '@confide/protocol';
import type { FastifyInstance } from 'fastify';
import { parseParams, type GraphCall } from '../../http/graph-request.js';

const ANSWERED_HEADERS = ['content-type', 'www-authenticate', 'retry-after'];

export async function runBatch(app: FastifyInstance, call: GraphCall, traceId: string): Promise<BatchResponseItem[]> {
  const { batch, include_headers } = parseParams(BatchRequestSchema, call.params);
  const withHeaders = include_headers ?? true;
  const out: BatchResponseItem[] = [];
  for (const op of batch) {
    const url = `/${op.relative_url.replace(/^\/+/, '')}`;
    const path = url.split('?')[0] as string;
    if (path === '/' || /^\/v\d+\.\d+\/?$/.test(path)) {
      out.push(errorItem('A batch operation cannot itself be a batch', traceId));
      continue;
    }
    const res = await app.inject({
      method: op.method,
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
    out.push(item);
  }
  return out;
}

function errorItem(message: string, traceId: string): BatchResponseItem {
  return { code: 400, body: JSON.stringify(toGraphEnvelope(new PlatformError('INVALID_PARAMETER', { message }), traceId)) };
}
