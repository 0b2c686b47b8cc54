/**
 * Who is calling: one discriminated union, {@link Auth}, over every caller the hub
 * authenticates. The http layer declares the kinds it verifies itself (a page token, an app
 * token, a customer session); features add theirs (an agent or console member session, an
 * assistant's OAuth token) by declaration merging on {@link AuthKinds}, as Fastify plugins add
 * decorators, so http/ imports no feature. A route's authentication sets `request.auth`;
 * handlers read it with {@link authOf}.
 */
import { PlatformError, type Customer } from '@confide/protocol';
import type { FastifyRequest } from 'fastify';

/** Each kind of caller → what its authentication established. Features extend it. */
export interface AuthKinds {
  /** A page access token: the page, its app, and the token's id (revocation, last use). */
  page: { pageId: string; appId: string; tokenId: string };
  /** An app access token `{app-id}|{app-secret}`: the app and its page. */
  app: { pageId: string; appId: string; tokenId: 'app' };
  /** A customer's session cookie (`/api`). */
  customer: { customer: Customer; sessionToken: string };
}

export type AuthKind = keyof AuthKinds;
/** The caller of one kind, tagged. */
export type AuthOf<K extends AuthKind> = { kind: K } & AuthKinds[K];
/** Who is calling. */
export type Auth = { [K in AuthKind]: AuthOf<K> }[AuthKind];

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once the route's authentication ran. */
    auth?: Auth;
  }
}

/** The caller of a request that passed the `kind` check; UNAUTHENTICATED for any other. */
export function authOf<K extends AuthKind>(request: FastifyRequest, kind: K): AuthOf<K> {
  const auth = request.auth;
  if (auth === undefined || auth.kind !== kind) throw new PlatformError('UNAUTHENTICATED');
  // The check above is what narrows: TypeScript does not narrow a union by a generic key.
  return auth as unknown as AuthOf<K>;
}
