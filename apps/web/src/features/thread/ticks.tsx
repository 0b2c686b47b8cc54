/** Delivery state of the customer's own messages: sending, sent, delivered, read. */
import { Icon } from '../../components/icon';
import type { DeliveryState } from '../conversations/messenger-state';

const LABELS: Record<DeliveryState, string> = {
  sending: 'Sending',
  failed: 'Not sent',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
};

export function Ticks({ state }: { state: DeliveryState }) {
  const icon = state === 'sending' ? 'clock' : state === 'failed' ? 'alert' : state === 'sent' ? 'check' : 'checks';
  return (
    <span className={`ticks ticks-${state}`} data-state={state} title={LABELS[state]}>
      <Icon name={icon} size={15} label={LABELS[state]} />
    </span>
  );
}
