/**
 * The bank's own log-in page for account linking (reference §6.1 steps 3–5). The
 * customer signs in with the BANK's credentials; the bank asks the hub which PSID the
 * `account_linking_token` stands for, mints an unguessable code bound to that PSID, and
 * sends the browser back to `redirect_uri` with it. Cancel goes back without a code.
 */
import { isPlatformApiError, type Platform } from '@confide/sdk';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { esc, page } from '../../common/html.js';
import { verifyPassword } from '../../common/ids.js';
import type { Ledger } from '../ledger.js';
import type { Links } from './links.js';

/** Dependencies of {@link linkingRoutes}. */
export interface LinkingRoutesDeps {
  platform: Platform;
  ledger: Ledger;
  links: Links;
  log: Logger;
  now: () => number;
  /** Origins `redirect_uri` may point to (the hub's); anything else is refused (no open redirect). */
  redirectOrigins: readonly string[];
  /** Demo hint shown under the form, e.g. the demo logins. */
  hint?: string;
}

const LinkQuerySchema = z.object({
  account_linking_token: z.string().min(1).max(2048),
  redirect_uri: z.string().min(1).max(4096),
});
const LinkFormSchema = LinkQuerySchema.extend({
  username: z.string().max(100).default(''),
  password: z.string().max(256).default(''),
  action: z.enum(['login', 'cancel']),
});

/** Appends the code the way Messenger documents it: `redirect_uri` may already carry a query. */
export function withAuthorizationCode(redirectUri: string, code: string): string {
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}authorization_code=${encodeURIComponent(code)}`;
}

const MAX_FAILURES = 5;
const LOCKOUT_MS = 60_000;

export function linkingRoutes(deps: LinkingRoutesDeps) {
  const failures = new Map<string, { count: number; until: number }>();
  const allowed = (uri: string): boolean => {
    try {
      return deps.redirectOrigins.includes(new URL(uri).origin);
    } catch {
      return false;
    }
  };
  const form = (q: z.infer<typeof LinkQuerySchema>, error?: string) =>
    page(
      'Sandbox Bank · Log in',
      `<h1>Sandbox Bank</h1><p>Sign in with your <strong>Sandbox Bank</strong> online-banking details to link your account to chat.
       Your password stays with the bank.</p>${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
       <form method="post" action="/link">
       <input type="hidden" name="account_linking_token" value="${esc(q.account_linking_token)}">
       <input type="hidden" name="redirect_uri" value="${esc(q.redirect_uri)}">
       <label for="username">Username</label><input id="username" name="username" type="text" autocomplete="username" required>
       <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
       <button class="primary" type="submit" name="action" value="login">Log in and link</button>
       <button class="secondary" type="submit" name="action" value="cancel" formnovalidate>Cancel</button></form>
       ${deps.hint ? `<p class="note">${esc(deps.hint)}</p>` : ''}`,
    );
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'cache-control': 'no-store',
  };

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/link', async (request, reply) => {
      const q = LinkQuerySchema.safeParse(request.query);
      if (!q.success || !allowed(q.data.redirect_uri)) {
        return reply
          .code(400)
          .headers(headers)
          .send(
            page(
              'Sandbox Bank',
              '<h1>Sandbox Bank</h1><p class="error">This link is not valid. Start again from the chat.</p>',
            ),
          );
      }
      return reply.headers(headers).send(form(q.data));
    });

    app.post('/link', async (request, reply) => {
      const f = LinkFormSchema.safeParse(request.body);
      if (!f.success || !allowed(f.data.redirect_uri)) {
        return reply
          .code(400)
          .headers(headers)
          .send(
            page(
              'Sandbox Bank',
              '<h1>Sandbox Bank</h1><p class="error">This link is not valid. Start again from the chat.</p>',
            ),
          );
      }
      const { redirect_uri: redirectUri, account_linking_token: token, username, password, action } = f.data;
      if (action === 'cancel') return reply.redirect(redirectUri, 303);

      const key = username.trim().toLowerCase();
      const now = deps.now();
      const failed = failures.get(key);
      if (failed !== undefined && failed.until > now)
        return reply.code(429).headers(headers).send(form(f.data, 'Too many attempts. Wait a minute and try again.'));
      const customer = await deps.ledger.customerByUsername(key);
      if (customer === undefined || !verifyPassword(password, customer.password_hash)) {
        const count = (failed?.count ?? 0) + 1;
        failures.set(key, { count, until: count >= MAX_FAILURES ? now + LOCKOUT_MS : 0 });
        return reply.code(401).headers(headers).send(form(f.data, 'Wrong username or password.'));
      }
      failures.delete(key);

      let psid: string;
      try {
        psid = await deps.platform.linking.getPsid(token);
      } catch (err) {
        // A bad or expired token: go back without a code, which aborts the link (§6.1 step 5).
        deps.log.warn(
          { err: isPlatformApiError(err) ? err.message : String(err) },
          'account_linking_token rejected by the hub',
        );
        return reply.redirect(redirectUri, 303);
      }
      const code = await deps.links.mintCode(psid, customer.id, now);
      deps.log.info(
        { psid, customer: customer.id },
        'bank login ok; redirecting to the hub with an authorization code',
      );
      return reply.redirect(withAuthorizationCode(redirectUri, code), 303);
    });
  };
}
