/**
 * One Messenger button: web_url (new tab), postback (sent back to the business),
 * phone_number (tel:), account_link (the hub's consent screen), account_unlink.
 */
import type { AnsweredPostback } from '@confide/protocol';
import { useState } from 'react';
import { Icon } from '../../components/icon';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { safeUrl, str, type Json } from '../../lib/payload';
import { sendPostback } from '../conversations/messenger';
import { unlinkBusiness } from '../privacy/privacy-api';

export interface ButtonContext {
  conversationId: string;
  pageId: string;
  pageName: string;
  mid: string;
  /** The button of this message the customer used (then the answer replaces the buttons). */
  answered?: AnsweredPostback | null;
  /** The business closed this question unanswered (then a note replaces the buttons). */
  closed?: boolean;
  /** The customer sent this message (their own photo or file). */
  mine?: boolean;
  /** Who is looking: an agent sees the customer's buttons but cannot use them. */
  viewer?: Viewer;
}

/** Who a thread is rendered for: the customer, or an agent of the business reading it in the inbox. */
export type Viewer = 'customer' | 'agent';

/** The consent screen for an account_link button: the whole page goes there and comes back. */
export const linkStartUrl = (mid: string, url: string) =>
  `/link/start?mid=${encodeURIComponent(mid)}&url=${encodeURIComponent(url)}`;

export function MessageButton({ button, ctx }: { button: Json; ctx: ButtonContext }) {
  const [busy, setBusy] = useState(false);
  const type = str(button, 'type');
  const title =
    str(button, 'title') ??
    (type === 'account_link' ? 'Link account' : type === 'account_unlink' ? 'Unlink account' : 'Open');

  // The agent sees the button as the customer does; tapping it is the customer's to do.
  if (ctx.viewer === 'agent' && type !== 'web_url') {
    return (
      <span className="msg-button shown" title="The customer's button">
        {title}
      </span>
    );
  }
  switch (type) {
    case 'web_url': {
      const href = safeUrl(str(button, 'url'));
      if (href === undefined) return <UnavailableButton title={title} />;
      return (
        <a className="msg-button" href={href} target="_blank" rel="noopener noreferrer">
          {title}
          <Icon name="external" size={16} label="(opens in a new tab)" />
        </a>
      );
    }
    case 'phone_number': {
      const phone = (str(button, 'payload') ?? '').replace(/[^\d+]/g, '');
      if (phone === '') return <UnavailableButton title={title} />;
      return (
        <a className="msg-button" href={`tel:${phone}`}>
          <Icon name="phone" size={16} />
          {title}
        </a>
      );
    }
    case 'postback':
      return (
        <button
          type="button"
          className="msg-button"
          onClick={() => void sendPostback(ctx.conversationId, str(button, 'payload') ?? '', title, ctx.mid)}
        >
          {title}
        </button>
      );
    case 'account_link': {
      const url = str(button, 'url');
      if (url === undefined) return <UnavailableButton title={title} />;
      return (
        <a className="msg-button" href={linkStartUrl(ctx.mid, url)}>
          <Icon name="link" size={16} />
          {title}
        </a>
      );
    }
    case 'account_unlink':
      return (
        <button
          type="button"
          className="msg-button"
          disabled={busy}
          onClick={async () => {
            if (!confirm(`Unlink your ${ctx.pageName} account from Confide?`)) return;
            setBusy(true);
            try {
              await unlinkBusiness(ctx.pageId);
              toast(`Your ${ctx.pageName} account is unlinked.`, 'success');
            } catch (err) {
              toast(describeError(err), 'error');
            } finally {
              setBusy(false);
            }
          }}
        >
          {title}
        </button>
      );
    default:
      return <UnavailableButton title={title} />;
  }
}

function UnavailableButton({ title }: { title: string }) {
  return (
    <button type="button" className="msg-button" disabled title="This button is not supported here">
      {title}
    </button>
  );
}
