/**
 * While the customer waits for a person after a hand-over: their place in the business's
 * queue. Re-read when the conversation changes (the hub announces hand-overs on the stream),
 * when a message arrives (an agent joining writes one) and every 20 s while waiting; nothing
 * is shown with the assistant or once an agent has joined.
 */
import type { Conversation, CustomerHandover } from '@confide/protocol';
import { useEffect, useState } from 'react';
import { request } from '../../lib/api';

const POLL_MS = 20_000;

export function HandoverBanner({ conversation, lastMid }: { conversation: Conversation; lastMid: string | undefined }) {
  const conversationId = conversation.id;
  const [handover, setHandover] = useState<CustomerHandover | null>(null);
  const waiting = handover?.state === 'waiting';

  useEffect(() => {
    let current = true;
    const read = () =>
      request<CustomerHandover>('GET', `/api/conversations/${encodeURIComponent(conversationId)}/agent`).then(
        (h) => current && setHandover(h),
        () => undefined,
      );
    void read();
    const timer = waiting ? setInterval(() => void read(), POLL_MS) : undefined;
    return () => {
      current = false;
      clearInterval(timer);
    };
    // `conversation` is a new object each time the hub announces a change (a hand-over among them).
  }, [conversationId, conversation, lastMid, waiting]);

  if (handover?.state !== 'waiting') return null;
  const place =
    handover.position === null
      ? ''
      : handover.position === 1
        ? ' You are next.'
        : ` You are number ${handover.position} in the queue.`;
  return (
    <p className="handover-banner" role="status">
      Waiting for a person to join.{place}
    </p>
  );
}
