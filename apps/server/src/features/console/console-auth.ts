/**
 * Console authentication for `/console/api`: the `confide_console` session cookie
 * (HTTP-only, SameSite=Strict, sent to the console API only) and the customer API's Origin
 * checks on state-changing requests.
 */
import { PlatformError } from '@confide/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authOf } from '../../http/auth.js';
import { assertSameOrigin } from '../../http/customer-auth.js';
import type { ConsoleMembers, Member } from './members.js';

export const CONSOLE_COOKIE = 'confide_console';
/** The cookie is only ever sent to the console API. */
export const CONSOLE_COOKIE_PATH = '/console/api';

declare module '../../http/auth.js' {
  interface AuthKinds {
    /** An organisation member's console session (`/console/api`). */
    member: { member: Member; sessionToken: string };
  }
}

/** Builds the onRequest hook that requires a signed-in organisation member (before the body is read or validated). */
export function requireMember(members: ConsoleMembers, publicUrl: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    assertSameOrigin(request, publicUrl);
    const token = request.cookies[CONSOLE_COOKIE];
    const member = token === undefined ? undefined : await members.authenticate(token);
    if (member === undefined || token === undefined) throw new PlatformError('UNAUTHENTICATED');
    request.auth = { kind: 'member', member, sessionToken: token };
  };
}

/** The member of a request that passed `requireMember`. */
export function memberOf(request: FastifyRequest): Member {
  return authOf(request, 'member').member;
}

/** The session token of a request that passed `requireMember` (signing out ends it). */
export function memberSessionOf(request: FastifyRequest): string {
  return authOf(request, 'member').sessionToken;
}
