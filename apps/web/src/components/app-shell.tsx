/**
 * The frame the messenger and the agent inbox share: a session gate (splash, sign-in or the
 * app, toasts over all) and the two-pane layout (list beside the open item; one pane at a
 * time on phones) with a skip link and a banner while the live stream reconnects. Each pane
 * has its own error boundary, so a render error in one leaves the other working.
 */
import { Fragment, type ReactNode } from 'react';
import type { StreamStatus } from '../lib/stream';
import { ErrorBoundary, ViewError } from './error-boundary';
import { Icon } from './icon';
import { Toasts } from './toasts';

/** A splash while the session is being checked, `signIn` without one, the app with one (a new session remounts it). */
export function SessionGate({
  session,
  signIn,
  children,
}: {
  session: { id: string } | null | undefined;
  signIn: ReactNode;
  children: ReactNode;
}) {
  return (
    <>
      {session === undefined ? (
        <div className="splash" aria-busy="true" />
      ) : session === null ? (
        signIn
      ) : (
        <Fragment key={session.id}>{children}</Fragment>
      )}
      <Toasts />
    </>
  );
}

interface TwoPaneProps {
  /** An extra class on the root, for one app's styles. */
  className?: string;
  /** Which pane phones show: the list, or the open item. */
  view: 'list' | 'detail';
  stream: StreamStatus;
  sidebar: ReactNode;
  children: ReactNode;
}

export function TwoPaneLayout({ className, view, stream, sidebar, children }: TwoPaneProps) {
  return (
    <div className={className === undefined ? 'app' : `app ${className}`} data-view={view} data-stream={stream}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {stream === 'reconnecting' && (
        <div className="connection-banner" role="status">
          <span className="spinner small" aria-hidden="true" /> Reconnecting…
        </div>
      )}
      <ErrorBoundary fallback={<ViewError />}>{sidebar}</ErrorBoundary>
      <main id="main" className="main">
        {/* A new route (another conversation, the privacy center) renders afresh. */}
        <ErrorBoundary fallback={<ViewError />} resetKey={location.pathname}>
          {children}
        </ErrorBoundary>
      </main>
    </div>
  );
}

/** The main pane while nothing is open. */
export function MainEmpty({ children }: { children: ReactNode }) {
  return (
    <div className="main-empty">
      <Icon name="chat" size={48} />
      <p>{children}</p>
    </div>
  );
}
