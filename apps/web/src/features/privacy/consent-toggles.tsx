/**
 * What a business may send you, one switch per declared category. A switch saves at once
 * (the ledger records it and a receipt is issued) and the toast offers Undo, which restores
 * the previous set of categories as a new grant. The switches always show the hub's state.
 */
import { useState } from 'react';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { categoryName } from '../thread/consent-sheet';
import { grantConsent, revokeConsent, type PrivacyBusiness } from './privacy-api';

export function ConsentToggles({ business, onChanged }: { business: PrivacyBusiness; onChanged: () => Promise<void> }) {
  const { page, consent, declared } = business;
  const granted = consent.status === 'active' ? consent.categories : [];
  /** The switch being saved and where it is going (shown until the save ends, whatever re-renders meanwhile). */
  const [saving, setSaving] = useState<{ category: string; on: boolean } | null>(null);

  const apply = (categories: string[]) =>
    categories.length === 0 ? revokeConsent(page.id) : grantConsent(page.id, categories);

  const undo = (before: string[]) => async () => {
    try {
      await apply(before);
      await onChanged();
      toast('Undone.', 'info');
    } catch (err) {
      toast(describeError(err), 'error');
    }
  };

  const flip = async (category: string) => {
    const before = granted;
    const on = !before.includes(category);
    const next = on ? [...before, category] : before.filter((c) => c !== category);
    setSaving({ category, on });
    try {
      await apply(next);
      await onChanged();
      toast(`${categoryName(category)} ${on ? 'on' : 'off'} for ${page.name}.`, 'success', 8000, {
        label: 'Undo',
        run: () => void undo(before)(),
      });
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setSaving(null);
    }
  };

  if (declared.length === 0)
    return <p className="muted small">{page.name} has not declared any updates it wants to send you.</p>;
  return (
    <fieldset className="consent-fields" disabled={saving !== null}>
      <legend>What {page.name} may send you</legend>
      {declared.map((d) => {
        // While saving, the switch shows where it is going (not the opposite of a refetched state).
        const checked = saving?.category === d.category ? saving.on : granted.includes(d.category);
        return (
          <label key={d.category} className="toggle-row">
            <input
              type="checkbox"
              role="switch"
              checked={checked}
              aria-checked={checked}
              onChange={() => void flip(d.category)}
            />
            <span className="toggle-text">
              <span className="toggle-title">{categoryName(d.category)}</span>
              <span className="muted small">{d.purpose}</span>
            </span>
          </label>
        );
      })}
      <p className="muted small">Changes save at once.</p>
    </fieldset>
  );
}
