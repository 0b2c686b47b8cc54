/**
 * Transfer: the agent who has the conversation (or anyone while it waits; a supervisor always)
 * moves it to a team of the page (back to that team's queue) or to another agent, with an
 * optional note that is stored as an internal note, never sent to the customer. Two steps:
 * choose, then confirm.
 */
import type { InboxTransferTargets } from '@confide/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { inboxApi } from './inbox-api';
import { refreshQueue } from './inbox-state';

/** The page's teams and agents, read when the panel opens. */
function useTargets(open: boolean): InboxTransferTargets | undefined {
  const [targets, setTargets] = useState<InboxTransferTargets | undefined>(undefined);
  useEffect(() => {
    if (!open) return;
    let current = true;
    inboxApi.transferTargets().then(
      (t) => current && setTargets(t),
      (err: unknown) => current && toast(describeError(err), 'error'),
    );
    return () => void (current = false);
  }, [open]);
  return targets;
}

/** `team:ID` or `agent:ID`, and what it reads as. */
function describeTarget(targets: InboxTransferTargets | undefined, value: string) {
  const [kind, id = ''] = value.split(':');
  const label =
    kind === 'team'
      ? `the ${targets?.teams.find((t) => t.id === id)?.name ?? ''} team`
      : (targets?.agents.find((a) => a.id === id)?.display_name ?? '');
  return { body: kind === 'team' ? { team_id: id } : { agent_id: id }, label, chosen: id !== '' };
}

function TargetSelect(props: {
  targets: InboxTransferTargets | undefined;
  selfId: string | undefined;
  value: string;
  disabled: boolean;
  onChange: (value: string) => void;
}) {
  const { targets, selfId } = props;
  return (
    <label>
      <span>Transfer to</span>
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        disabled={targets === undefined || props.disabled}
        required
      >
        <option value="">{targets === undefined ? 'Loading…' : 'Choose a team or an agent'}</option>
        {targets !== undefined && targets.teams.length > 0 && (
          <optgroup label="Teams (back to their queue)">
            {targets.teams.map((t) => (
              <option key={t.id} value={`team:${t.id}`}>{`${t.name} team`}</option>
            ))}
          </optgroup>
        )}
        {targets !== undefined && (
          <optgroup label="Agents">
            {targets.agents
              .filter((a) => a.id !== selfId)
              .map((a) => (
                <option key={a.id} value={`agent:${a.id}`}>
                  {`${a.display_name}${a.team === null ? '' : ` (${a.team})`} · ${a.status} · ${a.load}/${a.capacity} open`}
                </option>
              ))}
          </optgroup>
        )}
      </select>
    </label>
  );
}

/** "Transfer…", then "Confirm transfer" / "Cancel" naming the target. */
function SubmitRow(props: { label: string; chosen: boolean; confirming: boolean; busy: boolean; cancel: () => void }) {
  if (!props.confirming)
    return (
      <button type="submit" className="button" disabled={!props.chosen || props.busy}>
        Transfer…
      </button>
    );
  return (
    <div className="transfer-confirm" role="group" aria-label="Confirm the transfer">
      <p role="status">Transfer to {props.label}? It leaves your conversations.</p>
      <button type="submit" className="button primary" disabled={props.busy} autoFocus>
        Confirm transfer
      </button>
      <button type="button" className="button" disabled={props.busy} onClick={props.cancel}>
        Cancel
      </button>
    </div>
  );
}

export function TransferPanel(props: { conversationId: string; selfId: string | undefined; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const targets = useTargets(open);
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const chosen = describeTarget(targets, target);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen.chosen || busy) return;
    if (!confirming) return void setConfirming(true);
    setBusy(true);
    try {
      const text = note.trim();
      await inboxApi.assign(props.conversationId, { ...chosen.body, ...(text === '' ? {} : { note: text }) });
      toast(`Transferred to ${chosen.label}.`, 'success');
      setTarget('');
      setNote('');
      setOpen(false);
      props.onDone();
      void refreshQueue();
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setConfirming(false);
      setBusy(false);
    }
  };
  const cancel = () => setConfirming(false);
  const edit = (apply: () => void) => () => (apply(), setConfirming(false));

  return (
    <details className="inbox-transfer" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Transfer</summary>
      <form onSubmit={(e) => void submit(e)} aria-label="Transfer the conversation">
        <TargetSelect
          targets={targets}
          selfId={props.selfId}
          value={target}
          disabled={busy}
          onChange={(v) => edit(() => setTarget(v))()}
        />
        <label>
          <span>Note for the next agent (optional, never sent to the customer)</span>
          <textarea rows={2} maxLength={2000} value={note} onChange={(e) => edit(() => setNote(e.target.value))()} />
        </label>
        <SubmitRow label={chosen.label} chosen={chosen.chosen} confirming={confirming} busy={busy} cancel={cancel} />
      </form>
    </details>
  );
}
