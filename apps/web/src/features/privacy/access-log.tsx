/** The access log in plain language: by day (with the year) and business, each purpose in words, repeated accesses counted. */
import { useEffect, useState } from 'react';
import { describeError, isApiError, request } from '../../lib/api';
import { clockTime } from '../../lib/time';
import { useMessenger } from '../conversations/messenger';
import { groupAccessLog, type AccessGroup, type AccessLogEntry } from './access-log-groups';

const longDay = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1).toLocaleDateString(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
};

export function AccessLog() {
  const [entries, setEntries] = useState<AccessLogEntry[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const conversations = useMessenger((s) => s.conversations);
  useEffect(() => {
    request<{ data: AccessLogEntry[] }>('GET', '/api/privacy/access-log?limit=500').then(
      (res) => setEntries(res.data),
      (err: unknown) =>
        setFailed(
          isApiError(err) && err.status === 404 ? 'The access log is not available on this hub.' : describeError(err),
        ),
    );
  }, []);
  if (failed !== null) return <p className="muted small">{failed}</p>;
  if (entries === null) return <p className="muted small">Loading…</p>;
  if (entries.length === 0) return <p className="muted small">Nobody has accessed your data yet.</p>;
  const groups: AccessGroup[] = groupAccessLog(entries, ({ kind, id }) =>
    kind === 'conversation'
      ? conversations[id]?.page.name
      : Object.values(conversations).find((c) => c.page.id === id)?.page.name,
  );
  const days = [...new Set(groups.map((g) => g.day))];
  return (
    <div className="access-log" tabIndex={0} role="region" aria-label="Access log">
      {days.map((day) => (
        <section key={day} aria-label={longDay(day)}>
          <h4 className="access-day">{longDay(day)}</h4>
          {groups
            .filter((g) => g.day === day)
            .map((g) => (
              <div key={g.business} className="access-business">
                <h5>{g.business}</h5>
                <ul>
                  {g.lines.map((l) => (
                    <li key={l.text}>
                      <span>{l.text}</span>
                      <span className="muted small">
                        {l.count > 1
                          ? `${l.count} times · ${clockTime(l.first)}–${clockTime(l.last)}`
                          : clockTime(l.first)}
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            ))}
        </section>
      ))}
    </div>
  );
}
