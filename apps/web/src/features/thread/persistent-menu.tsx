/**
 * The page's persistent menu: a button by the composer opening a menu of postback and
 * web_url items, with nested menus drilled into (Back returns). Escape or a tap outside
 * closes it; arrow keys move between items.
 */
import type { ProfileMenuItem } from '@confide/protocol';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Icon } from '../../components/icon';
import { safeUrl } from '../../lib/payload';
import { sendPostback } from '../conversations/messenger';

export function PersistentMenu({
  conversationId,
  pageName,
  items,
}: {
  conversationId: string;
  pageName: string;
  items: ProfileMenuItem[];
}) {
  const [open, setOpen] = useState(false);
  /** The nested menus opened, outermost first. */
  const [path, setPath] = useState<Array<Extract<ProfileMenuItem, { type: 'nested' }>>>([]);
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const id = useId();
  const level = path.at(-1);
  const shown = level?.items ?? items;

  const close = (refocus = true) => {
    setOpen(false);
    setPath([]);
    if (refocus) toggle.current?.focus();
  };

  useEffect(() => {
    if (!open) return undefined;
    list.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const outside = (event: PointerEvent) => {
      if (root.current !== null && !root.current.contains(event.target as Node)) close(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open, path.length]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      if (path.length > 0) setPath(path.slice(0, -1));
      else close();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const entries = [...(list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    const next = (at + (event.key === 'ArrowDown' ? 1 : entries.length - 1)) % entries.length;
    entries[next]?.focus();
  };

  return (
    <div className="menu-anchor" ref={root}>
      <button
        type="button"
        ref={toggle}
        className="composer-icon"
        aria-label={`${pageName} menu`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <Icon name="menu" />
      </button>
      {open && (
        <div
          className="persistent-menu"
          id={id}
          role="menu"
          aria-label={level?.title ?? `${pageName} menu`}
          ref={list}
          onKeyDown={onKeyDown}
        >
          {level !== undefined && (
            <button
              type="button"
              role="menuitem"
              className="menu-item menu-back"
              onClick={() => setPath(path.slice(0, -1))}
            >
              <Icon name="back" size={18} />
              {level.title}
            </button>
          )}
          {shown.map((item, i) => (
            <MenuEntry
              key={`${path.length}-${i}`}
              item={item}
              onPostback={(payload, title) => {
                close();
                void sendPostback(conversationId, payload, title);
              }}
              onOpen={(nested) => setPath([...path, nested])}
              onLeave={() => close(false)}
            />
          ))}
        </div>
      )}
    </div>
  );
}

interface EntryProps {
  item: ProfileMenuItem;
  onPostback(payload: string, title: string): void;
  onOpen(nested: Extract<ProfileMenuItem, { type: 'nested' }>): void;
  onLeave(): void;
}

function MenuEntry({ item, onPostback, onOpen, onLeave }: EntryProps) {
  switch (item.type) {
    case 'postback':
      return (
        <button
          type="button"
          role="menuitem"
          className="menu-item"
          onClick={() => onPostback(item.payload, item.title)}
        >
          {item.title}
        </button>
      );
    case 'nested':
      return (
        <button type="button" role="menuitem" className="menu-item" aria-haspopup="menu" onClick={() => onOpen(item)}>
          <span>{item.title}</span>
          <Icon name="forward" size={18} />
        </button>
      );
    case 'web_url': {
      const href = safeUrl(item.url);
      if (href === undefined) return null;
      return (
        <a
          role="menuitem"
          className="menu-item"
          href={href}
          target="_blank"
          rel="noopener noreferrer"
          onClick={onLeave}
        >
          <span>{item.title}</span>
          <Icon name="external" size={16} label="(opens in a new tab)" />
        </a>
      );
    }
  }
}
