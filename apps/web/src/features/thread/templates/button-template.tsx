/** The button template: a line of text over up to three buttons, or the customer's answer once a postback button was used. */
import { asObjects, str, type Json } from '../../../lib/payload';
import { AnsweredButton } from '../answered-button';
import { MessageButton, type ButtonContext } from '../message-button';

export function ButtonTemplate({ payload, ctx }: { payload: Json; ctx: ButtonContext }) {
  return (
    <div className="card button-template">
      <p className="card-text">{str(payload, 'text')}</p>
      <TemplateButtons buttons={asObjects(payload['buttons'])} ctx={ctx} />
    </div>
  );
}

/** A template's buttons; after the customer answered, the answer in their place. */
export function TemplateButtons({ buttons, ctx }: { buttons: Json[]; ctx: ButtonContext }) {
  if (ctx.answered != null) return <AnsweredButton answered={ctx.answered} />;
  if (ctx.closed === true) return <p className="card-answer closed">No answer needed any more.</p>;
  return (
    <div className="card-buttons">
      {buttons.map((b, i) => (
        <MessageButton key={i} button={b} ctx={ctx} />
      ))}
    </div>
  );
}
