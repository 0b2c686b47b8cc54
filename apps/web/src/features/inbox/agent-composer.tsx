/**
 * The agent's reply box: Enter sends, Shift+Enter adds a line. Sent as the page under the
 * agent's persona. While the agent types, the customer sees the page typing (at most one
 * signal every few seconds; it stops after a pause, or with the reply).
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import type { InboxCanned, InboxMessage } from '@confide/protocol';
import { inboxApi } from './inbox-api';

const MAX_LENGTH = 2000;
/** Typing signals are repeated at most this often while the agent keeps typing. */
const TYPING_EVERY_MS = 4_000;
/** The signal stops after this long without a keystroke. */
const TYPING_IDLE_MS = 6_000;

/** Sends typing on/off for one conversation, throttled; errors are ignored (typing is a courtesy). */
function useTypingSignal(conversationId: string) {
  const lastOn = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const stop = () => {
    clearTimeout(idle.current);
    if (lastOn.current === 0) return;
    lastOn.current = 0;
    inboxApi.typing(conversationId, false).catch(() => undefined);
  };
  useEffect(() => () => stop(), [conversationId]);
  const keystroke = () => {
    const now = Date.now();
    if (now - lastOn.current > TYPING_EVERY_MS) {
      lastOn.current = now;
      inboxApi.typing(conversationId, true).catch(() => undefined);
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(stop, TYPING_IDLE_MS);
  };
  return { keystroke, stop };
}

export function AgentComposer({
  conversationId,
  customerName,
  onSent,
}: {
  conversationId: string;
  customerName: string;
  onSent: (message: InboxMessage) => void;
}) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const typing = useTypingSignal(conversationId);
  const [canned, setCanned] = useState<InboxCanned[]>([]);
  useEffect(() => {
    inboxApi.canned().then(
      (r) => setCanned(r.data),
      () => undefined,
    );
  }, []);
  /** Puts a canned response, filled in for this customer, in the box to edit and send. */
  const insertCanned = async (cannedId: string) => {
    if (cannedId === '') return;
    try {
      setText((await inboxApi.fillCanned(conversationId, cannedId)).text);
      area.current?.focus();
    } catch (err) {
      toast(describeError(err), 'error');
    }
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const value = text.trim();
    if (value === '' || sending) return;
    setSending(true);
    typing.stop();
    try {
      const sent = await inboxApi.reply(conversationId, value);
      setText('');
      onSent(sent);
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setSending(false);
      area.current?.focus();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) void submit(event);
  };

  return (
    <form className="composer" onSubmit={(e) => void submit(e)}>
      {canned.length > 0 && (
        <select
          aria-label="Canned response"
          value=""
          onChange={(e) => void insertCanned(e.target.value)}
          className="canned-select"
        >
          <option value="">Canned…</option>
          {canned.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      )}
      <label htmlFor={id} className="visually-hidden">
        Reply to {customerName}
      </label>
      <textarea
        id={id}
        ref={area}
        rows={2}
        maxLength={MAX_LENGTH}
        placeholder={`Reply to ${customerName}`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() !== '') typing.keystroke();
        }}
        onKeyDown={onKeyDown}
        enterKeyHint="send"
      />
      <button type="submit" className="send-button" aria-label="Send reply" disabled={text.trim() === '' || sending}>
        <Icon name="send" />
      </button>
    </form>
  );
}
