/**
 * Confide's service worker (scope `/`). It keeps the app shell (index.html, its hashed
 * assets, the manifest and icons) so the messenger opens without a network, and the last
 * answers of the few customer API reads the messenger starts with, so it shows its last
 * state, marked `x-confide-offline: 1` for the app to say it is offline. Those answers are
 * the customer's own data on their own device: they are dropped when the hub answers 401
 * (session ended) and when the app signs out (`{ type: 'forget' }`).
 *
 * Web Push: a push carries no account data (see features/push in the server); the
 * notification shows what the push says and opens the conversation it names.
 */
const SHELL = 'confide-shell-v1';
const DATA = 'confide-data-v1';
/** Customer API reads kept for offline use: who is signed in, the chats, one chat and its latest messages. */
const OFFLINE_READS = /^\/api\/(me|conversations(\/[\w-]+(\/(messages|profile))?)?)$/;
const SHELL_FILES = ['/manifest.webmanifest', '/favicon.svg', '/icons/icon-192.png', '/icons/icon-512.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      const shell = await fetch('/', { headers: { accept: 'text/html' }, cache: 'no-cache' });
      if (!shell.ok) throw new Error(`app shell: HTTP ${shell.status}`);
      const html = await shell.clone().text();
      await cache.put('/', shell);
      // The hashed scripts and styles index.html loads.
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
      await cache.addAll([...new Set([...assets, ...SHELL_FILES])]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL && name !== DATA) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'forget') event.waitUntil(caches.delete(DATA));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname.startsWith('/inbox') || url.pathname.startsWith('/api/')) return;
    event.respondWith(networkFirstShell(request));
  } else if (url.pathname.startsWith('/assets/') || SHELL_FILES.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (OFFLINE_READS.test(url.pathname)) {
    event.respondWith(networkFirstData(request));
  }
});

async function networkFirstShell(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(SHELL);
      await cache.put('/', response.clone());
    }
    return response;
  } catch {
    const cached = await caches.match('/', { cacheName: SHELL });
    return cached || Response.error();
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: SHELL });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).pathname.startsWith('/assets/')) {
    const cache = await caches.open(SHELL);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirstData(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    const cached = await caches.match(request, { cacheName: DATA });
    if (!cached) throw err;
    const headers = new Headers(cached.headers);
    headers.set('x-confide-offline', '1');
    return new Response(await cached.blob(), { status: cached.status, statusText: cached.statusText, headers });
  }
  if (response.status === 401) await caches.delete(DATA);
  else if (response.ok) {
    const cache = await caches.open(DATA);
    await cache.put(request, response.clone());
  }
  return response;
}

// ---- Web Push -----------------------------------------------------------------------------

/** A push names who wrote and where to look; the content stays at the hub until Confide opens. */
self.addEventListener('push', (event) => {
  let data = null;
  try {
    data = event.data ? event.data.json() : null;
  } catch {
    data = null;
  }
  const valid = data && data.v === 1 && typeof data.title === 'string' && typeof data.url === 'string';
  const title = valid ? data.title : 'Confide';
  // A question's buttons, answerable from the notification with the push's single-use token.
  const actions =
    valid && typeof data.token === 'string' && Array.isArray(data.actions)
      ? data.actions
          .slice(0, 2)
          .filter((a) => a && typeof a.action === 'string' && typeof a.title === 'string')
          .map((a) => ({ action: a.action, title: a.title }))
      : [];
  event.waitUntil(
    self.registration.showNotification(title, {
      body: valid && typeof data.body === 'string' ? data.body : 'Open Confide to read a new message.',
      tag: valid && typeof data.tag === 'string' ? data.tag : 'confide',
      renotify: true,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      requireInteraction: valid && data.category === 'fraud_alerts',
      actions,
      data: {
        url: valid ? data.url : '/',
        ref: valid ? data.ref : null,
        token: actions.length > 0 ? data.token : null,
        actions,
      },
    }),
  );
});

/** Opens (or focuses) Confide on the conversation the notification names. */
self.addEventListener('notificationclick', (event) => {
  const data = event.notification.data || {};
  const button = /^b(\d+)$/.exec(event.action || '');
  // An answer replaces this notification with its confirmation (same tag) instead of closing
  // it first: a tagged notification's id is its tag, so a close that reaches the browser after
  // the confirmation was shown would close the confirmation.
  if (button && typeof data.token === 'string')
    event.waitUntil(answerFromNotification(event.notification, data, Number(button[1]), event.action));
  else {
    event.notification.close();
    event.waitUntil(openApp(appPath(data.url)));
  }
});

/** Answers the question as the chat's button would; if that fails, opens the conversation instead. */
async function answerFromNotification(notification, data, button, action) {
  try {
    const res = await fetch('/api/push/answer', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token: data.token, message_mid: data.ref, button }),
      credentials: 'omit',
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const chosen = (data.actions || []).find((a) => a.action === action);
    await self.registration.showNotification(notification.title, {
      body: `You answered "${chosen ? chosen.title : 'your choice'}". Open Confide to see what happens next.`,
      tag: notification.tag,
      icon: '/icons/icon-192.png',
      data: { url: data.url, ref: data.ref, token: null, actions: [] },
    });
  } catch {
    notification.close();
    await openApp(appPath(data.url));
  }
}

/** Only the app's own conversation routes, never another origin. */
function appPath(url) {
  return typeof url === 'string' && /^\/c\/[\w-]+$/.test(url) ? url : '/';
}

async function openApp(path) {
  const target = new URL(path, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find(
    (w) => new URL(w.url).origin === self.location.origin && !new URL(w.url).pathname.startsWith('/inbox'),
  );
  if (open) {
    // Focusing needs the click's user activation; navigating the app there does not.
    await open.focus().catch(() => undefined);
    return open.navigate(target);
  }
  return self.clients.openWindow(target);
}
