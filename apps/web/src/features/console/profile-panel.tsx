/**
 * The page's Messenger Profile with a live preview as the customer will see it: the
 * greeting, the Get Started button, ice breakers and the persistent menu. Menu lines are
 * `Title | PAYLOAD` (a postback) or `Title | https://…` (a link).
 */
import type { OrgRole } from '@confide/protocol';
import { useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { canIntegrate, consoleApi } from './console-api';

interface MenuItem {
  type: 'postback' | 'web_url';
  title: string;
  payload?: string;
  url?: string;
}
interface Draft {
  greeting: string;
  getStarted: string;
  iceBreakers: string;
  menu: string;
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

function menuItems(text: string): MenuItem[] {
  return lines(text).map((line) => {
    const [title = '', target = ''] = line.split('|').map((p) => p.trim());
    return /^[a-z][a-z0-9+.-]*:/i.test(target)
      ? { type: 'web_url', title, url: target }
      : { type: 'postback', title, payload: target || title.toUpperCase() };
  });
}

function toProfile(d: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.greeting.trim() !== '') out['greeting'] = [{ locale: 'default', text: d.greeting.trim() }];
  if (d.getStarted.trim() !== '') out['get_started'] = { payload: d.getStarted.trim() };
  const ice = lines(d.iceBreakers);
  if (ice.length > 0)
    out['ice_breakers'] = ice.map((q) => ({
      question: q,
      payload: q
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, '_')
        .slice(0, 100),
    }));
  const menu = menuItems(d.menu);
  if (menu.length > 0) out['persistent_menu'] = [{ locale: 'default', call_to_actions: menu }];
  return out;
}

function fromProfile(p: Record<string, unknown>): Draft {
  const greeting = (p['greeting'] as { text: string }[] | undefined)?.[0]?.text ?? '';
  const getStarted = (p['get_started'] as { payload: string } | undefined)?.payload ?? '';
  const ice = (p['ice_breakers'] as { question?: string }[] | undefined) ?? [];
  const menu = (
    (p['persistent_menu'] as { call_to_actions?: MenuItem[] }[] | undefined)?.[0]?.call_to_actions ?? []
  ).map((m) => `${m.title} | ${m.type === 'web_url' ? (m.url ?? '') : (m.payload ?? '')}`);
  return { greeting, getStarted, iceBreakers: ice.map((i) => i.question ?? '').join('\n'), menu: menu.join('\n') };
}

export function ProfilePanel({ pageId, pageName, role }: { pageId: string; pageName: string; role: OrgRole }) {
  const [draft, setDraft] = useState<Draft>({ greeting: '', getStarted: '', iceBreakers: '', menu: '' });
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    consoleApi.profile(pageId).then(
      (p) => setDraft(fromProfile(p)),
      (err: unknown) => setOutcome({ ok: false, text: describeError(err) }),
    );
  }, [pageId]);
  const edit = (field: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [field]: e.target.value });
  const manage = canIntegrate(role);
  return (
    <section className="console-card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Messenger Profile</h2>
      <div className="console-split">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setOutcome(null);
            consoleApi.setProfile(pageId, toProfile(draft)).then(
              () => setOutcome({ ok: true, text: 'Profile saved.' }),
              (err: unknown) =>
                setOutcome({ ok: false, text: describeError(err, { BAD_REQUEST: (err as Error).message }) }),
            );
          }}
        >
          <label htmlFor="profile-greeting">Greeting</label>
          <textarea
            id="profile-greeting"
            rows={2}
            maxLength={160}
            value={draft.greeting}
            onChange={edit('greeting')}
            disabled={!manage}
          />
          <label htmlFor="profile-start">Get Started payload</label>
          <input id="profile-start" value={draft.getStarted} onChange={edit('getStarted')} disabled={!manage} />
          <label htmlFor="profile-ice">Ice breakers (one question a line)</label>
          <textarea
            id="profile-ice"
            rows={3}
            value={draft.iceBreakers}
            onChange={edit('iceBreakers')}
            disabled={!manage}
          />
          <label htmlFor="profile-menu">Menu (Title | PAYLOAD or Title | https://…)</label>
          <textarea id="profile-menu" rows={3} value={draft.menu} onChange={edit('menu')} disabled={!manage} />
          {manage && (
            <button className="button primary" type="submit">
              Save profile
            </button>
          )}
          {outcome !== null && (
            <p className={outcome.ok ? 'console-ok' : 'form-error'} role="status" data-testid="profile-outcome">
              {outcome.text}
            </p>
          )}
        </form>
        <ProfilePreview pageName={pageName} draft={draft} />
      </div>
    </section>
  );
}

/** What a customer sees on a first visit, rendered as text (never as markup). */
function ProfilePreview({ pageName, draft }: { pageName: string; draft: Draft }) {
  const greeting = draft.greeting
    .replace(/\{\{user_first_name\}\}/g, 'Alice')
    .replace(/\{\{user_full_name\}\}/g, 'Alice Smith');
  return (
    <div className="console-preview" aria-label="Preview" data-testid="profile-preview">
      <div className="console-preview-head">{pageName}</div>
      {greeting !== '' && <p className="console-preview-greeting">{greeting}</p>}
      <div className="console-preview-chips">
        {lines(draft.iceBreakers).map((q) => (
          <span key={q} className="console-chip">
            {q}
          </span>
        ))}
      </div>
      {draft.getStarted.trim() !== '' && <span className="console-chip console-chip-primary">Get Started</span>}
      {menuItems(draft.menu).length > 0 && (
        <ul className="console-preview-menu" aria-label="Menu">
          {menuItems(draft.menu).map((m) => (
            <li key={m.title}>
              {m.title}
              {m.type === 'web_url' && ' ↗'}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
