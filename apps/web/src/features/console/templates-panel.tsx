/** The page's utility message templates: list with review status, and create (reviewed at once by the hub). */
import type { OrgRole } from '@confide/protocol';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { canIntegrate, consoleApi } from './console-api';

const CATEGORIES = ['balances', 'transactions', 'fraud_alerts', 'receipts', 'shipping', 'events'] as const;

export function TemplatesPanel({ pageId, role }: { pageId: string; role: OrgRole }) {
  const [templates, setTemplates] = useState<
    { id: string; name: string; status: string; notification_category: string }[]
  >([]);
  const [name, setName] = useState('');
  const [category, setCategory] = useState<string>('transactions');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => consoleApi.templates(pageId).then((t) => setTemplates(t.data)), [pageId]);
  useEffect(() => void reload().catch((err: unknown) => setError(describeError(err))), [reload]);
  return (
    <section className="console-card" aria-labelledby="templates-heading">
      <h2 id="templates-heading">Utility templates</h2>
      <ul>
        {templates.map((t) => (
          <li key={t.id}>
            {t.name} <span className="muted">{t.notification_category}</span> — {t.status}
          </li>
        ))}
      </ul>
      {canIntegrate(role) && (
        <form
          className="console-inline"
          onSubmit={(e) => {
            e.preventDefault();
            setError(null);
            const body = {
              name: name.trim(),
              language: 'en',
              category: 'UTILITY',
              notification_category: category,
              components: [{ type: 'BODY', text: text.trim() }],
            };
            consoleApi.createTemplate(pageId, body).then(
              () => {
                setName('');
                setText('');
                return reload();
              },
              (err: unknown) =>
                setError(
                  describeError(err, {
                    BAD_REQUEST: (err as Error).message,
                    INVALID_PARAMETER: (err as Error).message,
                  }),
                ),
            );
          }}
        >
          <label htmlFor="template-name">Name</label>
          <input id="template-name" value={name} onChange={(e) => setName(e.target.value)} />
          <label htmlFor="template-category">Category</label>
          <select id="template-category" value={category} onChange={(e) => setCategory(e.target.value)}>
            {CATEGORIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <label htmlFor="template-body">Body</label>
          <input id="template-body" value={text} onChange={(e) => setText(e.target.value)} />
          <button className="button" type="submit">
            Create template
          </button>
        </form>
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
