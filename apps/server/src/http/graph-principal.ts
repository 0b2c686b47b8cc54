/**
 * What the Graph request plumbing needs of the pages feature, named here so http/ does not
 * import a feature: the checks that turn a page or app token into its caller (`Auth` of kind
 * `page` or `app`, http/auth.ts). features/pages/pages.ts implements the port (`Pages`).
 */
import type { AuthOf } from './auth.js';

export type { AuthOf };

/**
 * What a Graph call knows of its caller: the page and app a page or app token acts for. The
 * verifier gives the tagged `Auth`; calls built in process (the page inbox) carry the fields only.
 */
export type TokenPrincipal = Pick<AuthOf<'page'> | AuthOf<'app'>, 'pageId' | 'appId' | 'tokenId'>;

/** Verifies page and app access tokens and gives the app secret for `appsecret_proof`. */
export interface GraphTokenVerifier {
  verifyToken(token: string | undefined): Promise<AuthOf<'page'>>;
  verifyAppToken(token: string | undefined): Promise<AuthOf<'app'>>;
  appSecret(appId: string): Promise<string>;
}
