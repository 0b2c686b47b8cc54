/** The button template: a line of text over up to three buttons. */
import { asObjects, str, type Json } from '../../../lib/payload';
import { MessageButton, type ButtonContext } from '../message-button';

export function ButtonTemplate({ payload, ctx }: { payload: Json; ctx: ButtonContext }) {
  return (
    <div className="card button-template">
      <p className="card-text">{str(payload, 'text')}</p>
      <div className="card-buttons">
        {asObjects(payload['buttons']).map((b, i) => (
          <MessageButton key={i} button={b} ctx={ctx} />
        ))}
      </div>
    </div>
  );
}
