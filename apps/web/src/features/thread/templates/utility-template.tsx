/**
 * A utility message (a page's approved template, filled in by the hub): an optional bold
 * header, the body with its parameters in place, an optional muted footer and up to three
 * buttons, which act like a button template's.
 */
import { asObjects, str, type Json } from '../../../lib/payload';
import { MessageButton, type ButtonContext } from '../message-button';

export function UtilityTemplate({ payload, ctx }: { payload: Json; ctx: ButtonContext }) {
  const header = str(payload, 'header');
  const footer = str(payload, 'footer');
  const buttons = asObjects(payload['buttons']);
  return (
    <div className="card button-template utility-template">
      <div className="card-text">
        {header !== undefined && <p className="card-title">{header}</p>}
        <p>{str(payload, 'text')}</p>
        {footer !== undefined && <p className="card-subtitle">{footer}</p>}
      </div>
      {buttons.length > 0 && (
        <div className="card-buttons">
          {buttons.map((b, i) => (
            <MessageButton key={i} button={b} ctx={ctx} />
          ))}
        </div>
      )}
    </div>
  );
}
