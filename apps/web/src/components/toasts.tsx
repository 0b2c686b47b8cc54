/** Transient notices, announced politely to screen readers. */
import { createStore, useStore } from '../lib/store';
import { Icon } from './icon';

export type ToastTone = 'info' | 'success' | 'error';
/** A button in the toast (e.g. Undo); using it dismisses the toast. */
export interface ToastAction {
  label: string;
  run(): void;
}
interface Toast {
  id: number;
  text: string;
  tone: ToastTone;
  action?: ToastAction | undefined;
}

const toasts = createStore<Toast[]>([]);
let seq = 0;

export function toast(text: string, tone: ToastTone = 'info', ms = 5000, action?: ToastAction): void {
  const id = ++seq;
  toasts.set((list) => [...list.slice(-2), { id, text, tone, action }]);
  setTimeout(() => dismiss(id), ms);
}

const dismiss = (id: number) => toasts.set((list) => list.filter((t) => t.id !== id));

export function Toasts() {
  const list = useStore(toasts, (l) => l);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`}>
          <span>{t.text}</span>
          {t.action !== undefined && (
            <button
              type="button"
              className="link-button toast-action"
              onClick={() => {
                dismiss(t.id);
                t.action?.run();
              }}
            >
              {t.action.label}
            </button>
          )}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
