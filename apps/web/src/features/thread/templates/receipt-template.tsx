/** The receipt template: order lines, adjustments and totals, payment and delivery details. */
import { asObject, asObjects, money, num, safeUrl, str, type Json } from '../../../lib/payload';
import { fullDate } from '../../../lib/time';

export function ReceiptTemplate({ payload }: { payload: Json }) {
  const currency = str(payload, 'currency');
  const summary = asObject(payload['summary']);
  const address = asObject(payload['address']);
  const orderUrl = safeUrl(str(payload, 'order_url'));
  const timestamp = num(payload, 'timestamp');
  const subtotal = num(summary, 'subtotal');
  const shipping = num(summary, 'shipping_cost');
  const tax = num(summary, 'total_tax');
  const lines: Array<[string, number | undefined]> = [
    ['Subtotal', subtotal],
    ['Shipping', shipping],
    [taxIncluded(summary, asObjects(payload['adjustments'])) ? 'Includes tax' : 'Tax', tax],
  ];
  return (
    <article className="card receipt" aria-label={`Receipt ${str(payload, 'order_number') ?? ''}`}>
      <header className="receipt-header">
        <p className="card-title">Receipt</p>
        <p className="muted small">
          Order {str(payload, 'order_number')}
          {timestamp !== undefined && <> · {fullDate(timestamp < 1e12 ? timestamp * 1000 : timestamp)}</>}
        </p>
      </header>
      <ul className="receipt-items">
        {asObjects(payload['elements']).map((el, i) => {
          const image = safeUrl(str(el, 'image_url'));
          return (
            <li key={i} className="receipt-item">
              {image !== undefined && <img src={image} alt="" width={44} height={44} loading="lazy" />}
              <span className="receipt-item-text">
                <span>{str(el, 'title')}</span>
                {str(el, 'subtitle') !== undefined && <span className="muted small">{str(el, 'subtitle')}</span>}
                {num(el, 'quantity') !== undefined && <span className="muted small">Qty {num(el, 'quantity')}</span>}
              </span>
              <span className="receipt-amount">{money(num(el, 'price'), str(el, 'currency') ?? currency)}</span>
            </li>
          );
        })}
      </ul>
      <dl className="receipt-summary">
        {lines
          .filter(([, v]) => v !== undefined)
          .map(([label, v]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{money(v, currency)}</dd>
            </div>
          ))}
        {asObjects(payload['adjustments']).map((a, i) => (
          <div key={`adj-${i}`}>
            <dt>{str(a, 'name')}</dt>
            <dd>−{money(num(a, 'amount'), currency)}</dd>
          </div>
        ))}
        <div className="receipt-total">
          <dt>Total</dt>
          <dd>{money(num(summary, 'total_cost'), currency)}</dd>
        </div>
      </dl>
      <dl className="receipt-details">
        {str(payload, 'payment_method') !== undefined && (
          <div>
            <dt>Paid with</dt>
            <dd>{str(payload, 'payment_method')}</dd>
          </div>
        )}
        {str(payload, 'recipient_name') !== undefined && (
          <div>
            <dt>Recipient</dt>
            <dd>{str(payload, 'recipient_name')}</dd>
          </div>
        )}
        {address !== undefined && (
          <div>
            <dt>Ship to</dt>
            <dd>
              {[
                str(address, 'street_1'),
                str(address, 'street_2'),
                `${str(address, 'postal_code') ?? ''} ${str(address, 'city') ?? ''}`.trim(),
                str(address, 'country'),
              ]
                .filter((x) => x !== undefined && x !== '')
                .join(', ')}
            </dd>
          </div>
        )}
      </dl>
      {orderUrl !== undefined && (
        <div className="card-buttons">
          <a className="msg-button" href={orderUrl} target="_blank" rel="noopener noreferrer">
            View order
          </a>
        </div>
      )}
    </article>
  );
}

/**
 * Whether the tax is already inside the subtotal (prices with VAT, as in Europe): the lines
 * add up to the total without it. Then the receipt says "Includes tax" instead of listing it
 * as if it were added.
 */
export function taxIncluded(summary: Json | undefined, adjustments: Json[]): boolean {
  const tax = num(summary, 'total_tax');
  const total = num(summary, 'total_cost');
  if (tax === undefined || tax === 0 || total === undefined) return false;
  const off = adjustments.reduce((sum, a) => sum + (num(a, 'amount') ?? 0), 0);
  const withoutTax = (num(summary, 'subtotal') ?? 0) + (num(summary, 'shipping_cost') ?? 0) - off;
  const cents = (v: number) => Math.round(v * 100);
  return cents(withoutTax) === cents(total) && cents(withoutTax + tax) !== cents(total);
}
