/**
 * One inbox conversation: the customer's PSID and allowed profile fields, the history,
 * Take, the reply composer (HUMAN_AGENT, up to 7 days after the customer's last message),
 * Snooze, and Resolve (for the agent who has it), which sends the closing message and hands
 * the conversation back to the bank's assistant. A resolved conversation opens read-only.
 */
import type { InboxConversation, InboxConversationState, InboxMessage } from '@confide/protocol';
import { useEffect, useRef, useState } from 'react';
import { Avatar } from '../../components/avatar';
import { BackButton } from '../../components/back-button';
import { Spinner } from '../../components/spinner';
import { toast } from '../../components/toasts';
import { describeError, isApiError } from '../../lib/api';
import { navigate } from '../../lib/router';
import { fullDate } from '../../lib/time';
import { AgentComposer } from './agent-composer';
import { inboxApi } from './inbox-api';
import { QUEUE_PATH } from './inbox-route';
import { refreshQueue, useInbox } from './inbox-state';
import { InboxMessages } from './inbox-messages';
import { NotesPanel } from './notes-panel';
import { TransferPanel } from './transfer-panel';
import { ApprovalsPanel } from './approvals-panel';
import { ConversationGone, SlaBadge } from './sla-badge';
import { useNow, waitingLabel } from './waiting';

/** Re-reads the conversation's state (no messages: no content opened, no view recorded). */
async function refreshState(conversationId: string, apply: (state: InboxConversationState) => void): Promise<void> {
  try {
    apply(await inboxApi.state(conversationId));
  } catch (err) {
    toast(describeError(err), 'error');
  }
}

/** The opened history plus the messages that arrived as frames since, once each, oldest first. */
function mergeMessages(opened: InboxMessage[], incoming: InboxMessage[] | undefined): InboxMessage[] {
  if (incoming === undefined || incoming.length === 0) return opened;
  const seen = new Set(opened.map((m) => m.mid));
  const added = incoming.filter((m) => !seen.has(m.mid) && (seen.add(m.mid), true));
  return added.length === 0 ? opened : [...opened, ...added].sort((a, b) => a.created_at - b.created_at);
}

/** The customer's consent to proactive updates from this page, in words. */
function consentLabel(consent: InboxConversationState['consent']): string {
  if (consent.status === 'none') return 'None';
  if (consent.status !== 'active') return consent.status === 'expired' ? 'Expired' : 'Revoked';
  const categories = consent.categories.map((c) => c.replace(/_/g, ' ')).join(', ');
  return consent.expires_at === null ? categories : `${categories} (until ${fullDate(consent.expires_at)})`;
}

export function ConversationPane({ conversationId }: { conversationId: string }) {
  const agent = useInbox((s) => s.agent);
  const [transfers, setTransfers] = useState(0); // a transfer from this pane: the state and notes are re-read
  const revision = useInbox((s) => s.revisions[conversationId] ?? 0) + transfers;
  const reloads = useInbox((s) => s.reloads);
  const incoming = useInbox((s) => s.incoming[conversationId]);
  const left = useInbox((s) => s.left[conversationId] === true);
  const offset = useInbox((s) => s.clockOffset);
  const now = useNow() + offset;
  const [conversation, setConversation] = useState<InboxConversation | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  /** Handed to the assistant with "Done" (pass_thread_control metadata), e.g. "approve unlock". */
  const [note, setNote] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  // Opening reads the whole conversation (one recorded view); so does a reconnect that may have missed frames.
  useEffect(() => {
    let current = true;
    (agent?.role === 'supervisor' ? inboxApi.supervise : inboxApi.conversation)(conversationId).then(
      (c) => current && setConversation(c),
      (err: unknown) => {
        if (!current) return;
        if (isApiError(err) && err.status === 404) setConversation(null);
        else toast(describeError(err), 'error');
      },
    );
    return () => void (current = false);
  }, [conversationId, reloads, agent?.role]);

  // Taken, snoozed, resolved…: only the state is re-read; messages arrive as frames.
  const opened = useRef(revision);
  useEffect(() => {
    if (revision === opened.current) return;
    let current = true;
    void refreshState(
      conversationId,
      (state) => current && setConversation((c) => (c == null ? c : { ...c, ...state })),
    );
    return () => void (current = false);
  }, [conversationId, revision]);

  const loaded = conversation != null;
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, [conversationId, loaded]);

  if (conversation === null) return <ConversationGone />;
  if (conversation === undefined)
    return (
      <section className="pane thread loading">
        <Spinner label="Loading conversation" />
      </section>
    );

  const assignee = conversation.assigned_agent;
  const mine = assignee !== null && assignee.id === agent?.id;
  const someoneElse = assignee !== null && !mine;
  const windowClosed = conversation.reply_until === null || now > conversation.reply_until;
  const resolved = conversation.status === 'resolved' || left;
  const snoozed = conversation.status === 'snoozed' && (conversation.snoozed_until ?? 0) > now;

  const act = async (action: () => Promise<void>, after?: () => void) => {
    setBusy(true);
    try {
      await action();
      after?.();
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
      void refreshQueue();
    }
  };
  const reload = () =>
    refreshState(conversationId, (state) => setConversation((c) => (c == null ? c : { ...c, ...state })));
  const messages = mergeMessages(conversation.messages, incoming);
  const take = () =>
    act(async () => {
      await inboxApi.take(conversationId);
      await reload();
    });
  const resolve = () =>
    act(
      () => inboxApi.resolve(conversationId, note.trim() === '' ? undefined : note.trim()),
      () => {
        toast(`Resolved: ${conversation.customer.first_name} is back with the assistant.`, 'success');
        navigate(QUEUE_PATH);
      },
    );
  const snooze = () =>
    act(async () => {
      await inboxApi.snooze(conversationId, 60);
      await reload();
    });
  const state = resolved
    ? `Resolved${conversation.resolved_at === null ? '' : ` ${fullDate(conversation.resolved_at)}`}`
    : assignee === null
      ? `Waiting ${waitingLabel(now - conversation.queued_at)} · Not taken yet`
      : snoozed
        ? `Snoozed until ${fullDate(conversation.snoozed_until ?? now)}`
        : mine
          ? 'Taken by you'
          : `Taken by ${assignee.display_name}`;

  return (
    <section className="pane thread" aria-labelledby="inbox-title">
      <header className="pane-header thread-header">
        <BackButton to={QUEUE_PATH} label="Back to the queue" />
        <Avatar id={conversation.customer.psid} name={conversation.customer.first_name} size="sm" />
        <div className="thread-title">
          <h2 id="inbox-title" ref={heading} tabIndex={-1}>
            {conversation.customer.first_name}
          </h2>
          <p className="muted small thread-subtitle">
            {state} <SlaBadge sla={conversation.sla} />
          </p>
        </div>
        <div className="header-actions">
          {!resolved && assignee === null && (
            <button type="button" className="button primary" disabled={busy} onClick={() => void take()}>
              Take
            </button>
          )}
          {!resolved && mine && (
            <>
              {!snoozed && (
                <button
                  type="button"
                  className="button"
                  disabled={busy}
                  onClick={() => void snooze()}
                  title="Set aside for an hour, or until the customer writes"
                >
                  Snooze 1 h
                </button>
              )}
              <input
                className="done-note"
                type="text"
                maxLength={1000}
                value={note}
                onChange={(e) => setNote(e.target.value)}
                aria-label="Note for the assistant"
                placeholder="Note for the assistant (optional)"
                title="Handed to the assistant with the conversation, e.g. an approval"
              />
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void resolve()}
                title="Send the closing message and hand the conversation back to the assistant"
              >
                Resolve
              </button>
            </>
          )}
        </div>
      </header>
      <dl className="inbox-profile" aria-label="Customer">
        <div>
          <dt>First name</dt>
          <dd>{conversation.customer.first_name}</dd>
        </div>
        <div>
          <dt>PSID</dt>
          <dd className="psid">{conversation.customer.psid}</dd>
        </div>
        <div>
          <dt>Reply until</dt>
          <dd className={windowClosed ? 'warn' : undefined}>
            {conversation.reply_until === null ? '—' : fullDate(conversation.reply_until)}
          </dd>
        </div>
        <div>
          <dt>Team</dt>
          <dd>{conversation.team?.name ?? '—'}</dd>
        </div>
        <div>
          <dt>Handed over because</dt>
          <dd>{conversation.reason ?? '—'}</dd>
        </div>
        <div>
          <dt>Updates allowed</dt>
          <dd>{consentLabel(conversation.consent)}</dd>
        </div>
      </dl>
      {!resolved && (assignee === null || mine || agent?.role === 'supervisor') && (
        <TransferPanel conversationId={conversationId} selfId={agent?.id} onDone={() => setTransfers((n) => n + 1)} />
      )}
      <NotesPanel conversationId={conversationId} revision={revision} />
      <ApprovalsPanel conversationId={conversationId} revision={revision} canAsk={!resolved && mine} />
      {agent != null && (
        <InboxMessages
          conversationId={conversationId}
          page={agent.page}
          messages={messages}
          customerName={conversation.customer.first_name}
        />
      )}
      {resolved && (
        <p className="inbox-notice muted" role="status">
          Resolved: {conversation.customer.first_name} is back with the assistant. The conversation reopens here if they
          write again soon.
        </p>
      )}
      {!resolved && mine && !windowClosed && (
        <AgentComposer
          conversationId={conversationId}
          customerName={conversation.customer.first_name}
          onSent={(m) => setConversation((c) => (c == null ? c : { ...c, messages: mergeMessages(c.messages, [m]) }))}
        />
      )}
      {!resolved && mine && windowClosed && (
        <p className="inbox-notice warn" role="status">
          More than 7 days since {conversation.customer.first_name} last wrote: replies are closed until they write
          again.
        </p>
      )}
      {!resolved && assignee === null && <p className="inbox-notice muted">Take the conversation to reply.</p>}
      {!resolved && someoneElse && (
        <p className="inbox-notice muted">{assignee.display_name} is handling this conversation.</p>
      )}
    </section>
  );
}
