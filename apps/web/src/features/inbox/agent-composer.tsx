/** The agent's reply box: Enter sends, Shift+Enter adds a line. Sent as the page under the agent's persona. */
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { inboxApi } from './inbox-api';

const MAX_LENGTH = 2000;

export function AgentComposer({ conversationId, customerName, onSent }: { conversationId: string; customerName: string; onSent: () => void }) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const value = text.trim();
    if (value === '' || sending) return;
    setSending(true);
    try {
      await inboxApi.reply(conversationId, value);
      setText('');
      onSent();
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
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        enterKeyHint="send"
      />
      <button type="submit" className="send-button" aria-label="Send reply" disabled={text.trim() === '' || sending}>
        <Icon name="send" />
      </button>
    </form>
  );
}
