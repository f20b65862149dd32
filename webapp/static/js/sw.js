/* global MANIFEST */
// Service worker: keeps the capture page, its files and the offline page on the phone and serves them
// from there first; sends the outbox when the network is back (Background Sync). The API is never cached.
// The server puts MANIFEST ({version, assets, offline}, derived from the files) in front of this file and
// the outbox module in place of the import: a deploy changes the version, hence new caches.
import { flush } from '/static/js/outbox.js';

const VERSION = MANIFEST.version;
const ASSETS = `arpenteur-assets-${VERSION}`;
const PAGES = `arpenteur-pages-${VERSION}`;
const KEPT = new Set(MANIFEST.assets);
const CAPTURE_PAGE = /^\/m\/[A-Za-z0-9]+$/;
const RESIDENT_PAGES = /^\/(m\/[A-Za-z0-9]+|rejoindre|)$/;
// How long a page request may take before the copy kept on the phone is shown instead.
const NETWORK_TIMEOUT_MS = 4000;

/** The capture pages the previous version kept, made again (a deploy may change them), else the old copy. */
async function carryPages() {
  const pages = await caches.open(PAGES);
  for (const key of await caches.keys()) {
    if (!key.startsWith('arpenteur-pages-') || key === PAGES) continue;
    const old = await caches.open(key);
    for (const request of await old.keys()) {
      const path = new URL(request.url).pathname;
      let response;
      try {
        response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
      } catch (error) {
        response = null;
      }
      if (!response || !response.ok || response.redirected) response = await old.match(request);
      if (response) await pages.put(path, response);
    }
  }
}

self.addEventListener('install', (event) => {
  // 'no-cache': check the HTTP cache's copies (files the page just loaded come back « not modified »).
  event.waitUntil((async () => {
    const cache = await caches.open(ASSETS);
    await cache.addAll([...MANIFEST.assets, MANIFEST.offline].map((url) => new Request(url, { cache: 'no-cache' })));
    await carryPages();
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== ASSETS && key !== PAGES) await caches.delete(key);
    // Take the open pages: the one that registered us, or the previous version's (which offer to reload).
    await self.clients.claim();
  })());
});

/** Keep a copy of a capture page the worker did not serve (asked by the page): it has just come over the
 * network, so 'force-cache' takes the HTTP cache's copy instead of downloading it again. */
async function keep(path) {
  const cache = await caches.open(PAGES);
  if (!(await cache.match(path))) {
    const response = await fetch(path, { credentials: 'same-origin', cache: 'force-cache' });
    if (response.ok && !response.redirected) await cache.put(path, response);
  }
  return Boolean(await cache.match(path));
}

async function fallback() {
  const kept = await caches.match(MANIFEST.offline);
  return kept || new Response('Hors connexion', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

async function page(request, url) {
  const path = url.pathname;
  const cache = await caches.open(PAGES);
  // The capture page comes from the phone first; a new version comes with a new worker (carryPages). A
  // link with a query (the language switch) asks the server and keeps its answer.
  if (CAPTURE_PAGE.test(path) && !url.search) {
    const kept = await cache.match(path);
    if (kept) return kept;
  }
  const network = fetch(request).then((response) => {
    if (CAPTURE_PAGE.test(path) && response.ok && !response.redirected) cache.put(path, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => { setTimeout(resolve, NETWORK_TIMEOUT_MS, null); });
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
  } catch (error) {
    // Offline: fall through to the kept copy.
  }
  const kept = await cache.match(path);
  if (kept) return kept;
  return network.catch(fallback);
}

/** Joining (again): the kept pages carry the previous token, so they go before the redirect is followed. */
async function join(request) {
  await caches.delete(PAGES);
  return fetch(request);
}

async function asset(request, path) {
  const kept = await caches.match(path);
  return kept || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.method === 'POST' && request.mode === 'navigate' && url.pathname === '/rejoindre') {
    event.respondWith(join(request));
    return;
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate') {
    // Only the residents' pages: staff pages (with their data) are never stored on a device.
    if (RESIDENT_PAGES.test(url.pathname)) event.respondWith(page(request, url));
  } else if (KEPT.has(url.pathname)) {
    event.respondWith(asset(request, url.pathname));
  }
});

self.addEventListener('sync', (event) => {
  if (event.tag === 'outbox') event.waitUntil(flush());
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data === 'flush') {
    event.waitUntil(flush());
  } else if (data === 'version') {
    if (event.source) event.source.postMessage({ version: VERSION });
  } else if (data.keep && CAPTURE_PAGE.test(data.keep)) {
    const reply = (ok) => event.source && event.source.postMessage({ kept: data.keep, ok });
    event.waitUntil(keep(data.keep).then(reply, () => reply(false)));
  }
});
