/**
 * Customer satisfaction in the supervisor view: the last 7 days' average 1–5 score per team
 * and per agent, from the one-tap question the hub asks after a resolve (INBOX_CSAT).
 */
import type { InboxCsatSummary } from '@confide/protocol';
import { useEffect, useState } from 'react';
import { inboxApi } from './inbox-api';

type Row = InboxCsatSummary['teams'][number];

function CsatTable({ label, rows, empty }: { label: string; rows: Row[]; empty: string }) {
  return (
    <table aria-label={`Satisfaction per ${label.toLowerCase()}`}>
      <thead>
        <tr>
          <th>{label}</th>
          <th>Average (1–5)</th>
          <th>Answers</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id ?? 'none'}>
            <td>{r.name ?? empty}</td>
            <td>{r.average.toFixed(2)}</td>
            <td>{r.answers}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Loads again whenever `reload` changes; shows nothing until the first answer. */
export function CsatPanel({ reload }: { reload: unknown }) {
  const [summary, setSummary] = useState<InboxCsatSummary | undefined>(undefined);
  useEffect(() => {
    let current = true;
    inboxApi.csat().then(
      (s) => current && setSummary(s),
      () => undefined,
    );
    return () => void (current = false);
  }, [reload]);
  if (summary === undefined) return null;
  return (
    <>
      <h3>Satisfaction, last 7 days</h3>
      {summary.agents.length === 0 ? (
        <p>No answers yet.</p>
      ) : (
        <>
          <CsatTable label="Team" rows={summary.teams} empty="No team" />
          <CsatTable label="Agent" rows={summary.agents} empty="—" />
        </>
      )}
    </>
  );
}
