/**
 * Graph error text: how the Platform API words the errors of a request it cannot take, in
 * Graph's phrasing (code 100 naming the parameter as `param message[text] …`, "Unsupported
 * get request", "Invalid appsecret_proof"), so generic Graph clients show familiar messages.
 */
import { PlatformError } from '@confide/protocol';
import type { ZodType } from 'zod';

/** Code 100 with `message`, keeping the low-level error as the cause. */
export function invalidParameter(message: string, cause?: unknown): PlatformError {
  return new PlatformError('INVALID_PARAMETER', { message, ...(cause === undefined ? {} : { cause }) });
}

/** A bracket path as Graph names the parameter: `['message','text']` → `message[text]`. */
export function paramName(path: readonly PropertyKey[]): string {
  return `${String(path[0])}${path
    .slice(1)
    .map((p) => `[${String(p)}]`)
    .join('')}`;
}

/** The operation a path does not support (method unknown there), as Graph words it. */
export function unsupportedOperation(method: string): PlatformError {
  return new PlatformError('UNKNOWN_OBJECT', {
    message: `Unsupported ${method.toLowerCase()} request. Object does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
  });
}

/** An `appsecret_proof` that is not the HMAC of the token under the app secret. */
export function invalidAppSecretProof(): PlatformError {
  return new PlatformError('INVALID_ACCESS_TOKEN', { message: 'Invalid appsecret_proof provided in the API argument' });
}

/**
 * Validates Graph parameters with a zod schema; a failure answers code 100 naming the
 * parameter the way Graph does (`param message[text] …`).
 */
export function parseParams<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = deepestIssue(result.error.issues as unknown as ZodIssueLike[]);
  const path = issue?.path ?? [];
  const param = path.length === 0 ? '' : `param ${paramName(path)} `;
  const reason = issue === undefined ? 'is invalid' : describeIssue(issue);
  throw new PlatformError('INVALID_PARAMETER', {
    message: `${param}${reason}`.trim(),
    detail: { param: path.join('.') },
  });
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: ZodIssueLike[][];
  input?: unknown;
  discriminator?: string;
}

/** For unions, the branch issue that got furthest explains the failure best. */
function deepestIssue(issues: ZodIssueLike[], prefix: PropertyKey[] = []): ZodIssueLike | undefined {
  let best: ZodIssueLike | undefined;
  for (const issue of issues) {
    let candidate: ZodIssueLike = { ...issue, path: [...prefix, ...issue.path] };
    if (issue.code === 'invalid_union' && issue.errors !== undefined && issue.errors.length > 0) {
      const nested = issue.errors
        .map((branch) => deepestIssue(branch, candidate.path))
        .filter((x): x is ZodIssueLike => x !== undefined);
      const deepest = nested.sort((a, b) => b.path.length - a.path.length)[0];
      if (deepest !== undefined) candidate = deepest;
    }
    if (best === undefined || candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

function describeIssue(issue: ZodIssueLike): string {
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined)
    return `has an unsupported ${issue.discriminator}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is required';
  if (issue.message === 'Invalid input') return 'is invalid';
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}
