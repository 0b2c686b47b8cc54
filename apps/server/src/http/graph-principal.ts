/**
 * What the Graph request plumbing needs of the pages feature, named here so http/ does not
 * import a feature: the principal a page or app token stands for, and the checks that
 * produce it. features/pages/pages.ts implements the port (`Pages`).
 */

/** The page (and its app) a verified token acts for. */
export interface TokenPrincipal {
  pageId: string;
  appId: string;
  tokenId: string;
}

/** Verifies page and app access tokens and gives the app secret for `appsecret_proof`. */
export interface GraphTokenVerifier {
  verifyToken(token: string | undefined): Promise<TokenPrincipal>;
  verifyAppToken(token: string | undefined): Promise<TokenPrincipal>;
  appSecret(appId: string): Promise<string>;
}
