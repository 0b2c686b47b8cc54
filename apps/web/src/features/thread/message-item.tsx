/**
 * One message: who sent it for the business (a persona), its text bubble (with time and ticks),
 * then its attachments. The same component renders the agent inbox (`viewer="agent"`): sides
 * swap, the business's messages are labelled with who sent them, buttons are shown, not usable.
 */
import type { ChatMessage, Conversation, MessagePersona } from '@confide/protocol';
import { ErrorBoundary } from '../../components/error-boundary';
import { clockTime } from '../../lib/time';
import { deliveryState } from '../conversations/messenger-state';
import { AttachmentView } from './attachment-view';
import type { Viewer } from './message-button';
import { isSecurityAlert, SecurityAlert } from './security-alert';
import { Ticks } from './ticks';

/** What a message needs of its conversation; the watermarks (ticks) only for the customer. */
export type ThreadRef = Pick<Conversation, 'id' | 'page'> & Partial<Conversation>;

type ItemProps = {
  message: ChatMessage;
  conversation: ThreadRef;
  grouped: boolean;
  /** Defaults to the customer. */
  viewer?: Viewer;
  /** The customer's first name, for an agent's labels. */
  customerName?: string;
};

/** A message that cannot be rendered (a malformed body from a business) shows a placeholder; its neighbours are unaffected. */
export function MessageItem(props: ItemProps) {
  const mine = isMine(props.message, props.viewer);
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

/** The viewer's own side: the customer's messages for the customer, the business's for an agent. */
const isMine = (message: ChatMessage, viewer: Viewer = 'customer') =>
  viewer === 'agent' ? message.direction === 'out' : message.direction === 'in';

function MessageContent({ message, conversation, grouped, viewer = 'customer', customerName = 'Customer' }: ItemProps) {
  const mine = isMine(message, viewer);
  const agent = viewer === 'agent';
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
    // The customer's own photo or file (its label), as the customer sees it.
    mine: !agent && mine,
    viewer,
  };
  const fromBusiness = message.direction === 'out';
  const author = fromBusiness
    ? agent
      ? (message.persona?.name ?? 'Assistant')
      : conversation.page.name
    : agent
      ? customerName
      : 'You';
  const meta = (
    <span className="meta">
      <time dateTime={new Date(message.created_at).toISOString()}>{clockTime(message.created_at)}</time>
      {!agent && mine && isFullConversation(conversation) && <Ticks state={deliveryState(message, conversation)} />}
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
      <span className="visually-hidden">{author}:</span>
      {agent && !grouped && <span className="persona">{author}</span>}
      {!agent && !mine && message.persona != null && !grouped && <PersonaLabel persona={message.persona} />}
      {!agent && mine && body.surface === 'assistant' && (
        <span className="persona via-assistant">Sent by your assistant</span>
      )}
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

const isFullConversation = (c: ThreadRef): c is Conversation =>
  c.page_read_watermark !== undefined && c.page_delivered_watermark !== undefined;

/** The human agent a business message was sent by, e.g. "Dana · Fraud team", with their picture when they have one. */
function PersonaLabel({ persona }: { persona: MessagePersona }) {
  return (
    <span className="persona">
      {persona.profile_picture_url != null && (
        <img
          className="persona-picture"
          src={persona.profile_picture_url}
          alt=""
          width={16}
          height={16}
          loading="lazy"
        />
      )}
      {persona.name}
    </span>
  );
}
