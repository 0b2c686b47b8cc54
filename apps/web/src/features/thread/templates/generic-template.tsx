/** The generic template: a horizontal carousel of cards (image, title, subtitle, buttons). */
import { asObject, asObjects, safeUrl, str, type Json } from '../../../lib/payload';
import { MessageButton, type ButtonContext } from '../message-button';

export function GenericTemplate({ payload, ctx }: { payload: Json; ctx: ButtonContext }) {
  const elements = asObjects(payload['elements']);
  const square = str(payload, 'image_aspect_ratio') === 'square';
  return (
    <div
      className="carousel"
      role="group"
      aria-roledescription="carousel"
      aria-label={`${elements.length} cards from ${ctx.pageName}`}
      tabIndex={0}
    >
      <ul className="carousel-track">
        {elements.map((el, i) => {
          const image = safeUrl(str(el, 'image_url'));
          const action = asObject(el['default_action']);
          const href = str(action, 'type') === 'web_url' ? safeUrl(str(action, 'url')) : undefined;
          const title = str(el, 'title') ?? '';
          return (
            <li
              key={i}
              className="card generic-card"
              aria-roledescription="slide"
              aria-label={`${i + 1} of ${elements.length}: ${title}`}
            >
              {image !== undefined && (
                <img className={`card-image${square ? ' square' : ''}`} src={image} alt="" loading="lazy" />
              )}
              <div className="card-body">
                <p className="card-title">
                  {href === undefined ? (
                    title
                  ) : (
                    <a href={href} target="_blank" rel="noopener noreferrer">
                      {title}
                    </a>
                  )}
                </p>
                {str(el, 'subtitle') !== undefined && <p className="card-subtitle">{str(el, 'subtitle')}</p>}
              </div>
              <div className="card-buttons">
                {asObjects(el['buttons']).map((b, j) => (
                  <MessageButton key={j} button={b} ctx={ctx} />
                ))}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
