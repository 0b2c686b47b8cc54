/**
 * "Sign in with SSO" under a sign-in form, shown only when the hub has single sign-on for
 * that surface (it answers `{ enabled, start }` at `base`, e.g. `/inbox/api/sso`). The link
 * is a full navigation: the hub redirects to the identity provider and back.
 */
import { useEffect, useState } from 'react';
import { request } from '../lib/api';

export function SsoButton({ base }: { base: '/inbox/api/sso' | '/console/api/sso' }) {
  const [start, setStart] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    request<{ enabled: boolean; start: string }>('GET', base).then(
      (config) => live && setStart(config.enabled ? config.start : null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [base]);
  if (start === null) return null;
  return (
    <p className="sso">
      <a className="button block" href={start}>
        Sign in with SSO
      </a>
    </p>
  );
}
