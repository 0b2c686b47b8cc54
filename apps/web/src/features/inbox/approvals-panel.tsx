/**
 * Four-eyes approvals in the inbox: the agent holding a conversation asks a supervisor to
 * approve a sensitive action (unlock a card locked for fraud, raise a limit); a supervisor who
 * did not ask approves or rejects it with a note. The bank's app receives the decision.
 */
import { APPROVAL_KINDS, type ApprovalKind, type InboxApproval } from '@confide/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { clockTime } from '../../lib/time';
import { inboxApi } from './inbox-api';

const KIND_LABELS: Record<ApprovalKind, string> = {
  card_unlock: 'Unlock a card',
  limit_raise: 'Raise a limit',
  refund: 'Refund',
  account_change: 'Account change',
  other: 'Other',
};

/** One request, with Approve / Reject and a note for a supervisor who may decide it. */
export function ApprovalItem({ approval, onDecided }: { approval: InboxApproval; onDecided: () => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    try {
      await inboxApi.decide(approval.id, { decision, note: note.trim() });
      toast(
        decision === 'approve' ? 'Approved: the bank has been told.' : 'Rejected: the bank has been told.',
        'success',
      );
      onDecided();
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  const app = approval.requested_by_app;
  const asker = approval.requested_by?.display_name ?? (app === null ? 'The bank’s app' : `${app.display_name}’s app`);
  // An app's request an agent prompted (their hand-back): that agent may not decide it either.
  const who = approval.prompted_by === null ? asker : `${asker} (prompted by ${approval.prompted_by.display_name})`;
  return (
    <li className={`approval ${approval.status}`} aria-label={`Approval request: ${approval.summary}`}>
      <p>
        <strong>{KIND_LABELS[approval.kind]}</strong> · {approval.summary}
      </p>
      <p className="muted small">
        {who} asked at {clockTime(approval.created_at)} for {approval.customer.first_name} ·{' '}
        <span className="approval-status">{approval.status}</span>
        {approval.decided_by !== null && ` by ${approval.decided_by.display_name}`}
        {approval.note !== null && `: “${approval.note}”`}
      </p>
      {approval.can_decide && (
        <div className="approval-actions">
          <input
            type="text"
            maxLength={1000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            aria-label="Decision note"
            placeholder="Why (required)"
          />
          {(['approve', 'reject'] as const).map((d) => (
            <button
              key={d}
              type="button"
              className={`button${d === 'approve' ? ' primary' : ''}`}
              disabled={busy || note.trim() === ''}
              onClick={() => void decide(d)}
            >
              {d === 'approve' ? 'Approve' : 'Reject'}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

/** The conversation's approval requests; the form to ask when the agent holds it. */
export function ApprovalsPanel(props: { conversationId: string; revision: number; canAsk: boolean }) {
  const { conversationId, revision, canAsk } = props;
  const [approvals, setApprovals] = useState<InboxApproval[]>([]);
  const [reload, setReload] = useState(0);
  const [kind, setKind] = useState<ApprovalKind>('card_unlock');
  const [summary, setSummary] = useState('');
  useEffect(() => {
    let current = true;
    inboxApi.approvals({ conversation_id: conversationId }).then(
      (r) => current && setApprovals(r.data),
      () => undefined,
    );
    return () => void (current = false);
  }, [conversationId, revision, reload]);
  const ask = async (event: FormEvent) => {
    event.preventDefault();
    if (summary.trim() === '') return;
    try {
      await inboxApi.askApproval(conversationId, { kind, summary: summary.trim() });
      setSummary('');
      toast('Asked a supervisor for approval.', 'success');
      setReload((n) => n + 1);
    } catch (err) {
      toast(describeError(err), 'error');
    }
  };
  if (!canAsk && approvals.length === 0) return null;
  return (
    <section className="inbox-approvals" aria-label="Approvals">
      <ul>
        {approvals.map((a) => (
          <ApprovalItem key={a.id} approval={a} onDecided={() => setReload((n) => n + 1)} />
        ))}
      </ul>
      {canAsk && (
        <form onSubmit={(e) => void ask(e)}>
          <select aria-label="Approval kind" value={kind} onChange={(e) => setKind(e.target.value as ApprovalKind)}>
            {APPROVAL_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
          <input
            type="text"
            maxLength={300}
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
            aria-label="What needs approval"
            placeholder="What needs a supervisor’s approval"
          />
          <button type="submit" className="button" disabled={summary.trim() === ''}>
            Ask for approval
          </button>
        </form>
      )}
    </section>
  );
}
