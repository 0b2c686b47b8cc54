/**
 * The supervisor view at `/inbox/supervision` (loaded on demand): per team the queue length,
 * the oldest wait and the SLA targets (editable within the hub's limits), the agents with their
 * status and load, satisfaction averages, SLA breaches, and the approval requests waiting for a
 * second pair of eyes.
 */
import { SLA_LIMITS, type InboxApproval, type InboxSupervision } from '@confide/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { BackButton } from '../../components/back-button';
import { Spinner } from '../../components/spinner';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { clockTime } from '../../lib/time';
import { ApprovalItem } from './approvals-panel';
import { CsatPanel } from './csat-panel';
import { inboxApi } from './inbox-api';
import { inboxConversationPath, QUEUE_PATH } from './inbox-route';
import { useInbox } from './inbox-state';
import { InboxLink } from './sla-badge';
import { waitingLabel } from './waiting';

type Team = InboxSupervision['teams'][number];

function SlaForm({ team, onSaved }: { team: Team & { id: string }; onSaved: () => void }) {
  const [firstReply, setFirstReply] = useState(String((team.sla?.first_reply_seconds ?? 300) / 60));
  const [resolution, setResolution] = useState(String((team.sla?.resolution_seconds ?? 14_400) / 60));
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await inboxApi.setSla(team.id, {
        first_reply_seconds: Math.round(Number(firstReply) * 60),
        resolution_seconds: Math.round(Number(resolution) * 60),
      });
      toast(`SLA of ${team.name} saved.`, 'success');
      onSaved();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  };
  const limits = SLA_LIMITS;
  return (
    <form className="sla-form" onSubmit={(e) => void save(e)} aria-label={`SLA of ${team.name}`}>
      <label>
        First reply (min){' '}
        <input
          type="number"
          step="0.5"
          min={limits.firstReplySeconds.min / 60}
          value={firstReply}
          max={limits.firstReplySeconds.max / 60}
          onChange={(e) => setFirstReply(e.target.value)}
        />
      </label>
      <label>
        Resolution (min){' '}
        <input
          type="number"
          step="1"
          min={limits.resolutionSeconds.min / 60}
          value={resolution}
          max={limits.resolutionSeconds.max / 60}
          onChange={(e) => setResolution(e.target.value)}
        />
      </label>
      <button type="submit" className="button">
        Save
      </button>
    </form>
  );
}

function SupervisionTables({ view, onSaved: again }: { view: InboxSupervision; onSaved: () => void }) {
  return (
    <>
      <h3>Teams</h3>
      <table>
        <thead>
          <tr>
            <th>Team</th>
            <th>Waiting</th>
            <th>Oldest wait</th>
            <th>SLA</th>
          </tr>
        </thead>
        <tbody>
          {view.teams.map((t) => (
            <tr key={t.id ?? 'none'}>
              <td>{t.name}</td>
              <td>{t.waiting}</td>
              <td>{t.oldest_wait_ms === null ? '—' : waitingLabel(t.oldest_wait_ms)}</td>
              <td>{t.id === null ? '—' : <SlaForm team={{ ...t, id: t.id }} onSaved={again} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Agents</h3>
      <table>
        <thead>
          <tr>
            <th>Agent</th>
            <th>Team</th>
            <th>Status</th>
            <th>Load</th>
          </tr>
        </thead>
        <tbody>
          {view.agents.map((a) => (
            <tr key={a.id}>
              <td>
                {a.display_name}
                {a.role === 'supervisor' ? ' (supervisor)' : ''}
              </td>
              <td>{a.team ?? '—'}</td>
              <td>{a.status}</td>
              <td>
                {a.load} / {a.capacity}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export default function SupervisorView() {
  const queue = useInbox((s) => s.queue);
  const [view, setView] = useState<InboxSupervision | string | undefined>(undefined);
  const [approvals, setApprovals] = useState<InboxApproval[]>([]);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let current = true;
    inboxApi.supervision().then(
      (v) => current && setView(v),
      (err: unknown) => current && setView(describeError(err)),
    );
    inboxApi.approvals({ status: 'pending' }).then(
      (r) => current && setApprovals(r.data),
      () => undefined,
    );
    return () => void (current = false);
  }, [queue, reload]);
  const again = () => setReload((n) => n + 1);
  return (
    <section className="pane thread supervision" aria-labelledby="supervision-title">
      <header className="pane-header">
        <BackButton to={QUEUE_PATH} label="Back to the queue" />
        <h2 id="supervision-title">Supervision</h2>
      </header>
      {view === undefined ? (
        <Spinner label="Loading" />
      ) : typeof view === 'string' ? (
        <p className="inbox-notice warn">{view}</p>
      ) : (
        <div className="supervision-body">
          <h3>Approvals waiting ({approvals.length})</h3>
          <ul className="inbox-approvals" aria-label="Approvals waiting">
            {approvals.map((a) => (
              <ApprovalItem key={a.id} approval={a} onDecided={again} />
            ))}
          </ul>
          <SupervisionTables view={view} onSaved={again} />
          <CsatPanel reload={reload} />
          <h3>SLA breaches ({view.breaches.length})</h3>
          <ul aria-label="SLA breaches">
            {view.breaches.map((b) => (
              <li key={`${b.conversation_id}-${b.kind}`}>
                <InboxLink path={inboxConversationPath(b.conversation_id)}>{b.customer.first_name}</InboxLink>{' '}
                {b.kind === 'first_reply' ? 'first reply' : 'resolution'} late since {clockTime(b.breached_at)}
                {b.team === null ? '' : ` · ${b.team}`}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
