/**
 * For owners, when the console has single sign-on: link a member to their subject (`sub`) at
 * the identity provider, so they can use "Sign in with SSO". An empty subject unlinks.
 */
import type { ConsoleMember } from '@confide/protocol';
import { useEffect, useState } from 'react';
import { describeError, request } from '../../lib/api';
import { consoleApi } from './console-api';

export function SsoLinkForm({ members }: { members: ConsoleMember[] }) {
  const [enabled, setEnabled] = useState(false);
  const [memberId, setMemberId] = useState('');
  const [subject, setSubject] = useState('');
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    request<{ enabled: boolean }>('GET', '/console/api/sso').then(
      (c) => setEnabled(c.enabled),
      () => undefined,
    );
  }, []);
  if (!enabled || members.length === 0) return null;
  const chosen = memberId === '' ? members[0]!.id : memberId;
  return (
    <form
      className="console-inline"
      onSubmit={(e) => {
        e.preventDefault();
        const sub = subject.trim();
        consoleApi.linkSso(chosen, sub === '' ? null : sub).then(
          () => setNote({ ok: true, text: sub === '' ? 'Unlinked.' : 'Linked: they can sign in with SSO.' }),
          (err: unknown) => setNote({ ok: false, text: describeError(err) }),
        );
      }}
    >
      <label htmlFor="sso-member">Link</label>
      <select id="sso-member" value={chosen} onChange={(e) => setMemberId(e.target.value)}>
        {members.map((m) => (
          <option key={m.id} value={m.id}>
            {m.username}
          </option>
        ))}
      </select>
      <label htmlFor="sso-subject">to SSO subject</label>
      <input id="sso-subject" value={subject} maxLength={255} onChange={(e) => setSubject(e.target.value)} />
      <button className="button" type="submit">
        Save
      </button>
      {note !== null && (
        <span className={note.ok ? 'muted' : 'form-error'} role={note.ok ? 'status' : 'alert'}>
          {note.text}
        </span>
      )}
    </form>
  );
}
