/** Entry point of the Confide web messenger. */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { isAgentInboxPath } from './features/inbox/inbox-route';
import { startPwa } from './features/pwa/pwa';
import { isConsolePath } from './features/console/console-route';
import './styles.css';

/** The agent inbox (`/inbox`) is its own app, loaded only on its routes. */
const InboxApp = lazy(() => import('./features/inbox/inbox-app'));
/** The business console (`/console`), likewise. */
const ConsoleApp = lazy(() => import('./features/console/console-app'));

// The messenger is an installable app with an offline shell; the agent inbox is not.
if (!isAgentInboxPath(location.pathname)) startPwa();

const root = document.getElementById('root');
if (root === null) throw new Error('missing #root');
createRoot(root).render(
  <StrictMode>
    {isAgentInboxPath(location.pathname) ? (
      <Suspense fallback={<div className="splash" aria-busy="true" />}>
        <InboxApp />
      </Suspense>
    ) : isConsolePath(location.pathname) ? (
      <Suspense fallback={<div className="splash" aria-busy="true" />}>
        <ConsoleApp />
      </Suspense>
    ) : (
      <App />
    )}
  </StrictMode>,
);
