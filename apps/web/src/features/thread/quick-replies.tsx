/** The business's suggested answers; tapping one sends it and they disappear. */
import type { QuickReply } from '@confide/protocol';
import { safeUrl } from '../../lib/payload';
import { sendQuickReply } from '../conversations/messenger';

export function QuickReplies({ conversationId, replies }: { conversationId: string; replies: QuickReply[] }) {
  // Only text replies: the hub never hands the customer's phone or email to a business unasked.
  const usable = replies.filter((r) => r.content_type === 'text' && r.title !== undefined);
  if (usable.length === 0) return null;
  return (
    <div className="quick-replies" role="group" aria-label="Suggested replies">
      {usable.map((r, i) => (
        <button
          key={i}
          type="button"
          className="quick-reply"
          onClick={() => void sendQuickReply(conversationId, r.payload ?? '', r.title ?? '')}
        >
          {r.image_url !== undefined && safeUrl(r.image_url) !== undefined && (
            <img src={safeUrl(r.image_url)} alt="" width={18} height={18} />
          )}
          {r.title}
        </button>
      ))}
    </div>
  );
}
