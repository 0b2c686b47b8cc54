/** A message on its way to the hub (or that failed, with retry and discard). */
import type { PendingMessage } from '../conversations/messenger-state';
import { discardPending, retrySend } from '../conversations/messenger';
import { clockTime } from '../../lib/time';
import { Ticks } from './ticks';

export function PendingItem({ pending }: { pending: PendingMessage }) {
  return (
    <li className={`msg mine pending${pending.failed ? ' failed' : ''}`}>
      <p className="bubble">
        <span className="text">{pending.text}</span>
        <span className="meta">
          <time dateTime={new Date(pending.createdAt).toISOString()}>{clockTime(pending.createdAt)}</time>
          <Ticks state={pending.failed ? 'failed' : 'sending'} />
        </span>
      </p>
      {pending.failed && (
        <span className="pending-actions">
          Not sent.{' '}
          <button type="button" className="link-button" onClick={() => retrySend(pending)}>
            Retry
          </button>{' '}
          <button type="button" className="link-button" onClick={() => discardPending(pending.tempId)}>
            Discard
          </button>
        </span>
      )}
    </li>
  );
}
