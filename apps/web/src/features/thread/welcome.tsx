/**
 * The start of a new conversation, as Messenger shows it: who the business is, its
 * greeting, and its ice breakers (first-message suggestions that send their postback).
 */
import type { Conversation, PageProfile } from '@confide/protocol';
import { Avatar } from '../../components/avatar';
import { sendPostback } from '../conversations/messenger';

export function Welcome({ conversation, profile }: { conversation: Conversation; profile: PageProfile | undefined }) {
  const page = conversation.page;
  return (
    <section className="welcome" aria-label={`About ${page.name}`}>
      <Avatar id={page.id} name={page.name} size="lg" picture_url={page.picture_url} />
      <h3 className="welcome-name">{page.name}</h3>
      <p className="muted small">{page.category === 'bank' ? 'Bank' : 'Business'}</p>
      {profile?.greeting != null ? (
        <p className="welcome-greeting">{profile.greeting}</p>
      ) : (
        page.description !== '' && <p className="welcome-greeting">{page.description}</p>
      )}
      {profile !== undefined && profile.ice_breakers.length > 0 && (
        <ul className="ice-breakers" aria-label="Suggested questions">
          {profile.ice_breakers.map((q) => (
            <li key={q.payload + q.question}>
              <button
                type="button"
                className="ice-breaker"
                onClick={() => void sendPostback(conversation.id, q.payload, q.question)}
              >
                {q.question}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Messenger's Get Started: a new conversation begins with this tap (its postback goes to the business). */
export function GetStarted({ conversationId, payload }: { conversationId: string; payload: string }) {
  return (
    <div className="get-started">
      <button
        type="button"
        className="button primary"
        onClick={() => void sendPostback(conversationId, payload, 'Get Started')}
      >
        Get Started
      </button>
    </div>
  );
}
