/** The message composer: Enter sends, Shift+Enter adds a line; grows up to a few lines; attaches photos and PDFs (button or paste). */
import {
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import { Icon } from '../../components/icon';
import type { PageProfile } from '@confide/protocol';
import { customerTyping, sendText } from '../conversations/messenger';
import { PersistentMenu } from './persistent-menu';
import { EmojiPicker } from './emoji-picker';
import { ACCEPTED_TYPES, sendFiles } from './uploads';

const MAX_LENGTH = 2000;

interface Props {
  conversationId: string;
  pageName: string;
  /** The page's persistent menu, shown as a button by the text field. */
  menu?: PageProfile['persistent_menu'] | undefined;
}

export function Composer({ conversationId, pageName, menu }: Props) {
  const inputDisabled = menu?.composer_input_disabled === true;
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const id = useId();

  useLayoutEffect(() => {
    const el = area.current;
    if (el === null) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 140)}px`;
  }, [text]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const value = text.trim();
    if (value === '') return;
    setText('');
    void sendText(conversationId, value);
    area.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };

  // An emoji goes in at the caret (replacing a selection), and the caret follows it.
  const insert = (emoji: string) => {
    const el = area.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = (text.slice(0, start) + emoji + text.slice(end)).slice(0, MAX_LENGTH);
    setText(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  // A pasted screenshot or file is sent as an attachment; pasted text stays text.
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    sendFiles(conversationId, files);
  };

  return (
    <form className="composer" onSubmit={submit}>
      {menu != null && menu.items.length > 0 && (
        <PersistentMenu conversationId={conversationId} pageName={pageName} items={menu.items} />
      )}
      {!inputDisabled && (
        <>
          <button
            type="button"
            className="icon-button attach-button"
            aria-label="Attach a photo or PDF"
            title="Attach a photo or PDF"
            onClick={() => picker.current?.click()}
          >
            <Icon name="attach" />
          </button>
          <input
            ref={picker}
            type="file"
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            accept={ACCEPTED_TYPES}
            multiple
            data-testid="attach-input"
            onChange={(e) => {
              sendFiles(conversationId, [...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
        </>
      )}
      <label htmlFor={id} className="visually-hidden">
        Message {pageName}
      </label>
      <textarea
        id={id}
        ref={area}
        rows={1}
        maxLength={MAX_LENGTH}
        placeholder={inputDisabled ? `${pageName} answers through its menu` : 'Message'}
        disabled={inputDisabled}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value !== '') customerTyping(conversationId);
        }}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        enterKeyHint="send"
      />
      {!inputDisabled && <EmojiPicker onPick={insert} />}
      <button type="submit" className="send-button" aria-label="Send" disabled={text.trim() === ''}>
        <Icon name="send" />
      </button>
    </form>
  );
}
