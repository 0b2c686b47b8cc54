/** Internal notes on a conversation: agents of the page only; never sent to the customer. */
import type { InboxNote } from '@confide/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { clockTime } from '../../lib/time';
import { inboxApi } from './inbox-api';

export function NotesPanel({ conversationId, revision }: { conversationId: string; revision: number }) {
  const [notes, setNotes] = useState<InboxNote[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    inboxApi.notes(conversationId).then(
      (r) => current && setNotes(r.data),
      () => undefined,
    );
    return () => void (current = false);
  }, [conversationId, revision]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() === '' || busy) return;
    setBusy(true);
    try {
      const note = await inboxApi.addNote(conversationId, text.trim());
      setNotes((n) => (n.some((x) => x.id === note.id) ? n : [...n, note]));
      setText('');
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="inbox-notes">
      <summary>Internal notes ({notes.length})</summary>
      <ul aria-label="Internal notes">
        {notes.map((n) => (
          <li key={n.id}>
            <span className="muted small">
              {n.author.display_name} · {clockTime(n.created_at)}
            </span>
            <p>{n.text}</p>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void submit(e)}>
        <input
          type="text"
          maxLength={2000}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label="Add an internal note"
          placeholder="Note for other agents (never sent to the customer)"
        />
        <button type="submit" className="button" disabled={busy || text.trim() === ''}>
          Add note
        </button>
      </form>
    </details>
  );
}
