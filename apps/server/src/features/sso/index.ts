/**
 * OpenID Connect single sign-on shared by the agent inbox and the business console: one
 * client per surface (openid-client: discovery, code + PKCE S256, state and nonce bound to
 * the browser, ID token validation), the routes, and the provider re-check of sessions.
 */
export { auditRefusal } from './audit.js';
export { isSecurityEvent, SsoError, type SsoRefusal } from './errors.js';
export { SsoClient, type SsoConfirmation, type SsoIdentity } from './oidc-client.js';
export {
  recheckSsoSessions,
  sealRefresh,
  type SsoRecheckDeps,
  type SsoSessionRow,
  type SsoSessionStore,
} from './recheck.js';
export { ssoRoutes, type SsoSurfaceRoutes } from './routes.js';
export { SsoSignIn, type SsoSessionTable, type SsoSignInSpec } from './sign-in.js';
export { ssoSettings, type SsoSettings, type SsoSurface } from './settings.js';
export { SSO_STATE_COOKIE } from './state-cookie.js';
