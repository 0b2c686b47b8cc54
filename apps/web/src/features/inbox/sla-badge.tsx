/** SLA countdowns of a conversation (first reply, resolution) and small pieces of the queue and conversation panes. */
import type { InboxQueueItem, InboxSlaState } from '@confide/protocol';
import type { ReactNode } from 'react';
import { BackButton } from '../../components/back-button';
import { Icon } from '../../components/icon';
import { navigate } from '../../lib/router';
import { QUEUE_PATH } from './inbox-route';
import { useInbox } from './inbox-state';
import { useNow, waitingLabel } from './waiting';

function countdown(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds >= 3600) return waitingLabel(ms);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** "First reply in 0:45", "First reply late"; nothing without SLA targets. */
export function SlaBadge(props: { sla: InboxSlaState | null | undefined; compact?: boolean }) {
  const { sla } = props;
  // Ticks every second while shown, on the hub's clock.
  const now = useNow(sla == null ? 60_000 : 1000) + useInbox((s) => s.clockOffset);
  if (sla == null) return null;
  const parts: Array<{ label: string; due: number | null; kind: 'first_reply' | 'resolution' }> = [
    { label: 'First reply', due: sla.first_reply_due_at, kind: 'first_reply' },
    { label: 'Resolution', due: sla.resolution_due_at, kind: 'resolution' },
  ];
  // The queue row (compact) shows only the most pressing one.
  const shown = parts.filter((p) => p.due !== null || sla.breached.includes(p.kind)).slice(0, props.compact ? 1 : 2);
  if (shown.length === 0) return null;
  return (
    <span className="sla-badges small">
      {shown.map((p) => {
        const late = sla.breached.includes(p.kind) || (p.due !== null && p.due <= now);
        return (
          <span key={p.kind} className={`sla-badge${late ? ' late' : ''}`} data-sla={p.kind}>
            {late ? `${p.label} late` : `${p.label} in ${countdown((p.due ?? now) - now)}`}
          </span>
        );
      })}
    </span>
  );
}

/** The queue row's stamp: the waiting time (and SLA) while open, otherwise the state. */
export function QueueStamp({ item, now }: { item: InboxQueueItem; now: number }) {
  const sla = <SlaBadge sla={item.sla} compact />;
  if (item.status !== 'open')
    return (
      <span className="conversation-time">
        {item.status === 'snoozed' ? 'snoozed' : 'taken'} {sla}
      </span>
    );
  return (
    <span className="conversation-time waiting" title="Waiting since the hand-over">
      <Icon name="clock" size={14} /> <span className="visually-hidden">waiting </span>
      {waitingLabel(now - item.queued_at)} {sla}
    </span>
  );
}

/** A link inside the inbox that navigates without a reload. */
export function InboxLink({ path, children }: { path: string; children: ReactNode }) {
  return (
    <a
      className="button"
      href={path}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(path);
      }}
    >
      {children}
    </a>
  );
}

/** The pane of a conversation that is not (or no longer) in the agent's inbox. */
export function ConversationGone() {
  return (
    <section className="pane thread" aria-labelledby="inbox-gone">
      <header className="pane-header">
        <BackButton to={QUEUE_PATH} label="Back to the queue" />
        <h2 id="inbox-gone">Conversation</h2>
      </header>
      <div className="main-empty">
        <p>This conversation is not in the inbox.</p>
        <button type="button" className="button" onClick={() => navigate(QUEUE_PATH)}>
          Back to the queue
        </button>
      </div>
    </section>
  );
}
