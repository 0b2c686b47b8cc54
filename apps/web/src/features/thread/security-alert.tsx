/**
 * A security alert (a proactive update in the `fraud_alerts` category): a distinct card with
 * a shield, the business's "Label: value" lines as a list (a purchase "€X at Merchant"
 * split into amount and merchant), the time in the app's local format, and the alert's
 * buttons, or the customer's answer once given.
 */
import type { ChatMessage } from '@confide/protocol';
import { useId } from 'react';
import { Icon } from '../../components/icon';
import { asObjects, str, type Json } from '../../lib/payload';
import { fullDate } from '../../lib/time';
import type { ButtonContext } from './message-button';
import { TemplateButtons } from './templates/button-template';

/** The notification category styled as a security alert. */
export const SECURITY_CATEGORY = 'fraud_alerts';

export const isSecurityAlert = (m: ChatMessage): boolean =>
  m.direction === 'out' && m.notification_category === SECURITY_CATEGORY;

interface Parsed {
  title: string | undefined;
  fields: [string, string][];
  lines: string[];
}

/** Splits an alert's text into its heading, labelled fields and remaining lines. */
export function parseAlertText(text: string): Parsed {
  const [first, ...rest] = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const fields: [string, string][] = [];
  const lines: string[] = [];
  // A one-line alert has no heading of its own: the line is its body.
  const firstIsField = first !== undefined && (rest.length === 0 || /^[A-Z][\w ]{0,20}: /.test(first));
  for (const line of firstIsField ? [first, ...rest] : rest) {
    const m = /^([A-Z][\w ]{0,20}): (.+)$/.exec(line);
    if (m === null || m[1] === 'Why') {
      lines.push(line);
      continue;
    }
    const [, label, value] = m as unknown as [string, string, string];
    const purchase = label === 'Purchase' ? /^(\S+) at (.+)$/.exec(value) : null;
    if (purchase !== null) fields.push(['Amount', purchase[1] ?? ''], ['Merchant', purchase[2] ?? '']);
    else fields.push([label, value]);
  }
  return { title: firstIsField ? undefined : first, fields, lines };
}

export function SecurityAlert({ message, ctx }: { message: ChatMessage; ctx: ButtonContext }) {
  const headingId = useId();
  // A button template (tagged update) or a utility message, whose header is the alert's heading.
  const kind =
    message.body.attachment?.type === 'template' ? str(message.body.attachment.payload, 'template_type') : undefined;
  const template = kind === 'button' || kind === 'utility' ? message.body.attachment?.payload : undefined;
  const header = kind === 'utility' ? str(template as Json, 'header') : undefined;
  const body = template === undefined ? (message.body.text ?? '') : (str(template as Json, 'text') ?? '');
  const text = header === undefined ? body : `${header}\n${body}`;
  const { title, fields, lines } = parseAlertText(text);
  const open = message.awaits_answer === true && ctx.answered == null;
  return (
    <section
      className={`security-alert${open ? ' open' : ''}`}
      aria-labelledby={headingId}
      data-testid="security-alert"
    >
      <header className="security-alert-head">
        <Icon name="shield" size={20} />
        <h3 id={headingId}>
          <span className="visually-hidden">Security alert from {ctx.pageName}: </span>
          {title ?? 'Security alert'}
        </h3>
        {open && <span className="security-alert-flag">Action needed</span>}
      </header>
      {fields.length > 0 && (
        <dl className="security-alert-fields">
          {fields.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
          <div>
            <dt>Time</dt>
            <dd>
              <time dateTime={new Date(message.created_at).toISOString()}>{fullDate(message.created_at)}</time>
            </dd>
          </div>
        </dl>
      )}
      {lines.map((line, i) => (
        <p key={i} className="security-alert-line">
          {line}
        </p>
      ))}
      {template !== undefined && <TemplateButtons buttons={asObjects((template as Json)['buttons'])} ctx={ctx} />}
    </section>
  );
}
