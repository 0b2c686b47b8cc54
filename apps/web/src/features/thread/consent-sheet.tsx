/**
 * The hub's consent sheet: what a business asks to send, each kind with the purpose it
 * declared, all ticked; the customer allows what stays ticked. A modal `<dialog>`, so focus
 * stays inside and Escape closes it.
 */
import { useEffect, useId, useRef, useState } from 'react';

/** What each category is called (the consent screen's and the privacy center's words). */
const NAMES: Readonly<Record<string, string>> = {
  balances: 'Balance updates',
  transactions: 'Transaction notices',
  fraud_alerts: 'Fraud alerts',
  receipts: 'Receipts',
  shipping: 'Shipping updates',
  events: 'Event updates',
};
export const categoryName = (category: string): string => NAMES[category] ?? category.replaceAll('_', ' ');

interface Props {
  pageName: string;
  categories: Array<{ category: string; purpose: string }>;
  busy: boolean;
  onAllow(categories: string[]): void;
  onClose(): void;
}

export function ConsentSheet({ pageName, categories, busy, onAllow, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [chosen, setChosen] = useState(() => new Set(categories.map((c) => c.category)));
  const titleId = useId();

  useEffect(() => {
    const el = dialog.current;
    if (el !== null && !el.open) el.showModal();
    return () => el?.close();
  }, []);

  const toggle = (category: string) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (next.has(category)) next.delete(category);
      else next.add(category);
      return next;
    });

  return (
    <dialog ref={dialog} className="consent-sheet" aria-labelledby={titleId} onCancel={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onAllow(categories.map((c) => c.category).filter((c) => chosen.has(c)));
        }}
      >
        <h2 id={titleId}>Allow {pageName} to send you…</h2>
        <p className="muted small">
          Outside your conversations, only what you tick. Confide records your choice and keeps a signed receipt.
        </p>
        <ul className="consent-sheet-list">
          {categories.map((c) => (
            <li key={c.category}>
              <label>
                <input type="checkbox" checked={chosen.has(c.category)} onChange={() => toggle(c.category)} />
                <span>
                  <strong>{categoryName(c.category)}</strong>
                  {c.purpose !== '' && <span className="muted small">{c.purpose}</span>}
                </span>
              </label>
            </li>
          ))}
        </ul>
        <p className="muted small">For one year. You can change or withdraw this any time in Privacy.</p>
        <div className="consent-sheet-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy || chosen.size === 0}>
            Allow
          </button>
        </div>
      </form>
    </dialog>
  );
}
