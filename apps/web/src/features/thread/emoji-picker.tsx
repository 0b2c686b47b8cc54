/**
 * A small emoji picker by the composer: a button opens a grid of common emoji (each named
 * for screen readers); a pick is inserted at the caret. Arrow keys move in the grid, Escape
 * or a tap outside closes it and focus returns to the button.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

/** Common emoji in chat with a bank or a shop, with their names. */
const EMOJI: ReadonlyArray<readonly [string, string]> = [
  ['🙂', 'slightly smiling face'],
  ['😀', 'grinning face'],
  ['😂', 'face with tears of joy'],
  ['😊', 'smiling face with smiling eyes'],
  ['😉', 'winking face'],
  ['😍', 'smiling face with heart-eyes'],
  ['🤔', 'thinking face'],
  ['😮', 'face with open mouth'],
  ['😢', 'crying face'],
  ['😠', 'angry face'],
  ['😅', 'grinning face with sweat'],
  ['🙏', 'folded hands'],
  ['👍', 'thumbs up'],
  ['👎', 'thumbs down'],
  ['👏', 'clapping hands'],
  ['👋', 'waving hand'],
  ['❤️', 'red heart'],
  ['🎉', 'party popper'],
  ['✅', 'check mark button'],
  ['❌', 'cross mark'],
  ['⚠️', 'warning'],
  ['💳', 'credit card'],
  ['💶', 'euro banknote'],
  ['📦', 'package'],
  ['🧾', 'receipt'],
  ['🔒', 'locked'],
  ['📞', 'telephone receiver'],
  ['⏰', 'alarm clock'],
  ['🏦', 'bank'],
  ['🛒', 'shopping cart'],
  ['🚚', 'delivery truck'],
  ['⭐', 'star'],
];
const COLUMNS = 8;

export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const id = useId();

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) toggle.current?.focus();
  };

  useEffect(() => {
    if (!open) return undefined;
    grid.current?.querySelector<HTMLElement>('button')?.focus();
    const outside = (event: PointerEvent) => {
      if (root.current !== null && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      return;
    }
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const buttons = [...(grid.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[Math.min(buttons.length - 1, Math.max(0, at + step))]?.focus();
  };

  return (
    <div className="menu-anchor" ref={root}>
      <button
        ref={toggle}
        type="button"
        className="composer-icon emoji-toggle"
        aria-label="Insert emoji"
        title="Insert emoji"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <span aria-hidden="true">🙂</span>
      </button>
      {open && (
        <div className="emoji-picker" id={id} role="group" aria-label="Emoji" ref={grid} onKeyDown={onKeyDown}>
          {EMOJI.map(([emoji, name]) => (
            <button
              key={name}
              type="button"
              className="emoji-button"
              aria-label={name}
              title={name}
              onClick={() => {
                onPick(emoji);
                close(false);
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
