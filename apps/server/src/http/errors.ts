/**
 * The one error-to-response path. Routes throw `PlatformError`; Fastify's own errors
 * (bad JSON, body too large, schema validation) are normalised here. The customer API
 * (`/api/…`) answers `{error:{code,message,status,request_id}}`; the Platform API answers
 * the Graph envelope with HTTP 400, `(#code)` message and `fbtrace_id`.
 */
import { PlatformError, isPlatformError, toGraphEnvelope, type ApiErrorBody } from '@confide/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';

/** True when the request belongs to the customer API or an operational endpoint. */
export function isCustomerApi(url: string): boolean {
  return (
    url.startsWith('/api/') ||
    url === '/api' ||
    url.startsWith('/healthz') ||
    url.startsWith('/inbox/api/') ||
    url.startsWith('/console/api/')
  );
}

/** Converts anything thrown into a PlatformError, choosing the catalogue key by surface. */
export function toPlatformError(err: unknown, customer: boolean): PlatformError {
  if (isPlatformError(err)) return err;
  const invalid = customer ? 'BAD_REQUEST' : 'INVALID_PARAMETER';
  if (err instanceof ZodError) {
    return new PlatformError(invalid, {
      message: describeZod(err),
      detail: { issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  const fe = err as Partial<FastifyError> & { validation?: unknown[] };
  if (fe.validation !== undefined)
    return new PlatformError(invalid, { message: fe.message ?? 'Invalid request', cause: err });
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return customer
        ? new PlatformError('PAYLOAD_TOO_LARGE')
        : new PlatformError('INVALID_PARAMETER', { message: 'Request body too large' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return customer
        ? new PlatformError('UNSUPPORTED_MEDIA_TYPE')
        : new PlatformError('INVALID_PARAMETER', { message: 'Unsupported content type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new PlatformError(invalid, { message: 'Body is not valid JSON' });
    case 'FST_ERR_BAD_URL':
      return new PlatformError(invalid, { message: 'Malformed URL' });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new PlatformError(customer ? 'NOT_FOUND' : 'UNKNOWN_OBJECT', { message: 'Path parameter too long' });
    case 'FST_REQ_FILE_TOO_LARGE':
      return new PlatformError(customer ? 'PAYLOAD_TOO_LARGE' : 'ATTACHMENT_TOO_LARGE');
    default:
      break;
  }
  if (err instanceof SyntaxError || fe.statusCode === 400)
    return new PlatformError(invalid, { message: 'Malformed request body' });
  if (fe.statusCode === 413)
    return new PlatformError(customer ? 'PAYLOAD_TOO_LARGE' : 'INVALID_PARAMETER', {
      message: 'Request body too large',
    });
  if (fe.statusCode === 415)
    return new PlatformError(customer ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_PARAMETER', {
      message: 'Unsupported content type',
    });
  if (isUnavailable(err)) return new PlatformError('UNAVAILABLE', { cause: err });
  return new PlatformError('INTERNAL', { cause: err });
}

function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === '57P01' ||
    code === '57P03' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    code === 'SQLITE_BUSY' ||
    (err instanceof Error &&
      /Connection terminated|timeout exceeded when trying to connect|is not queryable|Query read timeout/.test(
        err.message,
      ))
  );
}

function describeZod(err: ZodError): string {
  const first = err.issues[0];
  if (first === undefined) return 'Invalid request';
  const where = first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return `${where}${first.message}`;
}

/** Renders a PlatformError for the surface the request came in on. */
export function sendError(request: FastifyRequest, reply: FastifyReply, err: PlatformError): FastifyReply {
  if (err.headers !== undefined) void reply.headers(err.headers);
  if (isCustomerApi(request.url)) {
    const body: ApiErrorBody = {
      error: {
        code: err.key,
        message: err.expose ? err.message : err.spec.message,
        status: err.status,
        request_id: request.id,
      },
    };
    if (err.detail !== undefined && err.expose) body.error.detail = err.detail;
    return reply.status(err.status).send(body);
  }
  if (err.spec.code === 190)
    void reply.header('www-authenticate', `OAuth "Facebook Platform" "invalid_token" "${err.spec.message}"`);
  return reply
    .status(err.status === 500 || err.status === 503 ? err.status : 400)
    .send(toGraphEnvelope(err, request.id));
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const customer = isCustomerApi(request.url);
    const err = toPlatformError(error, customer);
    if (err.status >= 500) request.log.error({ err: error, key: err.key }, 'request failed');
    else request.log.info({ key: err.key }, 'request rejected');
    return sendError(request, reply, err);
  });
  app.setNotFoundHandler((request, reply) => {
    const customer = isCustomerApi(request.url);
    return sendError(request, reply, new PlatformError(customer ? 'NOT_FOUND' : 'UNKNOWN_OBJECT'));
  });
}
