/** The organisation's members and, for owners, invite links with a one-time code. */
import { ORG_ROLES, type ConsoleMember, type ConsoleSession, type OrgRole } from '@confide/protocol';
import { useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { consoleApi } from './console-api';
import { SsoLinkForm } from './sso-link-form';

export function MembersView({ session }: { session: ConsoleSession }) {
  const [members, setMembers] = useState<ConsoleMember[]>([]);
  const [role, setRole] = useState<OrgRole>('developer');
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const failed = (err: unknown) => setError(describeError(err));
    consoleApi.members().then((m) => setMembers(m.data), failed);
  }, []);
  return (
    <section className="console-card">
      <h1>Members of {session.organisation.name}</h1>
      <ul className="console-members">
        {members.map((m) => (
          <li key={m.id}>
            {m.username} <span className="muted">{m.role}</span>
          </li>
        ))}
      </ul>
      {session.member.role === 'owner' && (
        <form
          className="console-inline"
          onSubmit={(e) => {
            e.preventDefault();
            setError(null);
            consoleApi.invite(role).then(
              (inv) => setLink(`${location.origin}/console#invite=${encodeURIComponent(inv.code)}`),
              (err: unknown) => setError(describeError(err)),
            );
          }}
        >
          <label htmlFor="invite-role">Invite a</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as OrgRole)}>
            {ORG_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <button className="button" type="submit">
            Create invite link
          </button>
        </form>
      )}
      {session.member.role === 'owner' && <SsoLinkForm members={members} />}
      {link !== null && (
        <div className="console-once" role="status">
          <p>Invite link (works once, for 72 hours):</p>
          <code data-testid="invite-link">{link}</code>
        </div>
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
