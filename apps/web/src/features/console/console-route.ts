/** The business console is its own app at `/console` (its API is `/console/api`). */
export const isConsolePath = (pathname: string): boolean => /^\/console\/?$/.test(pathname);

/** An invite code travels in the fragment (`/console#invite=…`), which browsers never send to a server. */
export function inviteCodeFromHash(hash: string): string | null {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('invite');
  return code === null || code === '' ? null : code;
}
