/** A conversation: header, message log with "load older", quick replies, composer; marks itself read. */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Avatar } from '../../components/avatar';
import { BackButton } from '../../components/back-button';
import { Spinner } from '../../components/spinner';
import { toast } from '../../components/toasts';
import { describeError } from '../../lib/api';
import { loadOlder, loadProfile, loadThread, markRead, setActive, useMessenger } from '../conversations/messenger';
import { activeQuickReplies } from '../conversations/messenger-state';
import { Icon } from '../../components/icon';
import { SearchPanel } from '../search/search-panel';
import { Composer } from './composer';
import { MessageList } from './message-list';
import { QuickReplies } from './quick-replies';
import { useUploads, sendFiles } from './uploads';
import { GetStarted, Welcome } from './welcome';
import { HandoverBanner } from './handover-banner';

export function ThreadView({ conversationId }: { conversationId: string }) {
  const conversation = useMessenger((s) => s.conversations[conversationId]);
  const thread = useMessenger((s) => s.threads[conversationId]);
  const allPending = useMessenger((s) => s.pending);
  const typing = useMessenger((s) => s.typing[conversationId] === true);
  const pageId = conversation?.page.id;
  const profile = useMessenger((s) => (pageId === undefined ? undefined : s.profiles[pageId]));
  const [error, setError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [searching, setSearching] = useState(false);
  const [dropping, setDropping] = useState(false);
  const uploads = useUploads(conversationId);
  const heading = useRef<HTMLHeadingElement>(null);
  const pending = allPending.filter((p) => p.conversationId === conversationId);

  useEffect(() => {
    setActive(conversationId);
    setError(null);
    loadThread(conversationId).catch((err: unknown) => setError(describeError(err)));
    void loadProfile(conversationId);
    return () => setActive(null);
  }, [conversationId]);

  // Viewing the conversation reads it.
  const unread = conversation?.unread_count ?? 0;
  const loaded = thread?.loaded === true;
  useEffect(() => {
    if (loaded && document.visibilityState === 'visible') markRead(conversationId);
  }, [conversationId, loaded, unread]);

  useEffect(() => heading.current?.focus({ preventScroll: true }), [conversationId]);

  if (error !== null)
    return (
      <section className="pane thread">
        <header className="pane-header">
          <BackButton to="/" />
          <h2>Conversation</h2>
        </header>
        <p className="form-error center" role="alert">
          {error}
        </p>
      </section>
    );

  if (conversation === undefined || thread === undefined)
    return (
      <section className="pane thread loading">
        <Spinner label="Loading conversation" />
      </section>
    );

  const quickMid = activeQuickReplies(thread.messages, pending.length);
  const quickReplies = quickMid === undefined ? undefined : thread.messages.at(-1)?.body.quick_replies;

  // A conversation that has not started yet: Messenger's welcome, and Get Started in place of the composer.
  const fresh = thread.loaded && thread.messages.length === 0 && thread.nextCursor === null && pending.length === 0;
  const getStarted = fresh ? profile?.get_started : null;

  const older = async () => {
    setLoadingOlder(true);
    try {
      await loadOlder(conversationId);
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      setLoadingOlder(false);
    }
  };

  // Files dropped anywhere on the conversation are sent (not while the composer is replaced by Get Started or a menu-only input).
  const canAttach = getStarted == null && profile?.persistent_menu?.composer_input_disabled !== true;
  const hasFiles = (e: DragEvent) => canAttach && [...e.dataTransfer.types].includes('Files');
  const dropProps = {
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      if (!dropping) setDropping(true);
    },
    onDragLeave: (e: DragEvent) => {
      if (e.currentTarget === e.target || !e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
    },
    onDrop: (e: DragEvent) => {
      setDropping(false);
      if (!hasFiles(e)) return;
      e.preventDefault();
      sendFiles(conversationId, [...e.dataTransfer.files]);
    },
  };

  return (
    <section className={`pane thread${dropping ? ' dropping' : ''}`} aria-labelledby="thread-title" {...dropProps}>
      {dropping && (
        <div className="drop-overlay" aria-hidden="true">
          Drop photos or PDFs to send them to {conversation.page.name}
        </div>
      )}
      <header className="pane-header thread-header">
        <BackButton to="/" />
        <Avatar {...conversation.page} size="sm" />
        <div className="thread-title">
          <h2 id="thread-title" ref={heading} tabIndex={-1}>
            {conversation.page.name}
          </h2>
          <p className="muted small thread-subtitle">
            {typing ? 'typing…' : conversation.page.category === 'bank' ? 'Bank' : 'Business'}
          </p>
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label={searching ? 'Close search' : 'Search this conversation'}
          aria-pressed={searching}
          title="Search this conversation"
          onClick={() => setSearching(!searching)}
        >
          <Icon name={searching ? 'close' : 'search'} />
        </button>
      </header>
      {searching && (
        <div className="thread-search">
          <SearchPanel conversationId={conversationId} autoFocus onClose={() => setSearching(false)} />
        </div>
      )}
      <MessageList
        conversation={conversation}
        messages={thread.messages}
        pending={pending}
        uploads={uploads}
        hasOlder={thread.nextCursor !== null}
        loadingOlder={loadingOlder}
        onLoadOlder={() => void older()}
        typing={typing}
        intro={fresh ? <Welcome conversation={conversation} profile={profile} /> : undefined}
      />
      <HandoverBanner conversation={conversation} lastMid={thread.messages.at(-1)?.mid} />
      {quickReplies !== undefined && (
        <QuickReplies key={quickMid} conversationId={conversationId} replies={quickReplies} />
      )}
      {getStarted != null ? (
        <GetStarted conversationId={conversationId} payload={getStarted.payload} />
      ) : (
        <Composer
          key={conversationId}
          conversationId={conversationId}
          pageName={conversation.page.name}
          menu={profile?.persistent_menu}
        />
      )}
    </section>
  );
}
