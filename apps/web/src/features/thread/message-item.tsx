/** One message: who sent it for the business (a persona), its text bubble (with time and ticks), then its attachments. */
import type { ChatMessage, Conversation, MessagePersona } from '@confide/protocol';
import { ErrorBoundary } from '../../components/error-boundary';
import { clockTime } from '../../lib/time';
import { deliveryState } from '../conversations/messenger-state';
import { AttachmentView } from './attachment-view';
import { isSecurityAlert, SecurityAlert } from './security-alert';
import { Ticks } from './ticks';

type ItemProps = { message: ChatMessage; conversation: Conversation; grouped: boolean };

/** A message that cannot be rendered (a malformed body from a business) shows a placeholder; its neighbours are unaffected. */
export function MessageItem(props: ItemProps) {
  const mine = props.message.direction === 'in';
  const fallback = (
    <li className={`msg ${mine ? 'mine' : 'theirs'}`} data-mid={props.message.mid}>
      <p className="bubble unsupported">This message can’t be shown.</p>
    </li>
  );
  return (
    <ErrorBoundary fallback={fallback} resetKey={props.message.body}>
      <MessageContent {...props} />
    </ErrorBoundary>
  );
}

function MessageContent({ message, conversation, grouped }: ItemProps) {
  const mine = message.direction === 'in';
  const body = message.body;
  const text = body.text ?? body.postback?.title;
  const attachments = body.attachments ?? (body.attachment === undefined ? [] : [body.attachment]);
  const ctx = {
    conversationId: conversation.id,
    pageId: conversation.page.id,
    pageName: conversation.page.name,
    mid: message.mid,
    answered: message.answered_postback ?? null,
    closed: message.awaits_answer === false && message.answered_postback == null,
  };
  const meta = (
    <span className="meta">
      <time dateTime={new Date(message.created_at).toISOString()}>{clockTime(message.created_at)}</time>
      {mine && <Ticks state={deliveryState(message, conversation)} />}
    </span>
  );
  if (message.system === true) {
    return (
      <li className="msg system" data-mid={message.mid}>
        <p className="system-line">{text}</p>
      </li>
    );
  }
  if (isSecurityAlert(message)) {
    return (
      <li className="msg theirs" data-mid={message.mid}>
        <SecurityAlert message={message} ctx={ctx} />
        <span className="meta standalone">{meta}</span>
      </li>
    );
  }
  return (
    <li className={`msg ${mine ? 'mine' : 'theirs'}${grouped ? ' grouped' : ''}`} data-mid={message.mid}>
      <span className="visually-hidden">{mine ? 'You' : conversation.page.name}:</span>
      {!mine && message.persona != null && !grouped && <PersonaLabel persona={message.persona} />}
      {text !== undefined && text !== '' && (
        <p className={`bubble${body.postback !== undefined ? ' postback' : ''}`}>
          <span className="text">{text}</span>
          {meta}
        </p>
      )}
      {attachments.map((a, i) => (
        <div key={i} className="attachment">
          <AttachmentView attachment={a} ctx={ctx} />
        </div>
      ))}
      {(text === undefined || text === '') && <span className="meta standalone">{meta}</span>}
    </li>
  );
}

/** The human agent a business message was sent by, e.g. "Dana · Fraud team", with their picture when they have one. */
function PersonaLabel({ persona }: { persona: MessagePersona }) {
  return (
    <span className="persona">
      {persona.profile_picture_url != null && (
        <img className="persona-picture" src={persona.profile_picture_url} alt="" width={16} height={16} loading="lazy" />
      )}
      {persona.name}
    </span>
  );
}
