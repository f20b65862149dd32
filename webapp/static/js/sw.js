/* global MANIFEST */
// Service worker: keeps the capture page, its files and the offline page on the phone, and sends the
// outbox when the browser says the network is back (Background Sync, where it exists). The API is never
// cached. MANIFEST ({version, assets, offline}) is put in front of this file by the server, derived from
// the files themselves: a deploy that changes one of them changes this script, hence a new cache.
import { flush } from '/static/js/outbox.js';

const ASSETS = `arpenteur-assets-${MANIFEST.version}`;
// Pages live apart from the files: a new version keeps the walks' pages a phone already has.
const PAGES = 'arpenteur-pages';
const KEPT = new Set(MANIFEST.assets);
const CAPTURE_PAGE = /^\/m\/[A-Za-z0-9]+$/;
const RESIDENT_PAGES = /^\/(m\/[A-Za-z0-9]+|rejoindre|)$/;
// How long a page request may take before the copy kept on the phone is shown instead.
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  // 'no-cache': the browser's HTTP cache may hold files of the previous deploy; check them first.
  event.waitUntil((async () => {
    const cache = await caches.open(ASSETS);
    await cache.addAll([...MANIFEST.assets, MANIFEST.offline].map((url) => new Request(url, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== ASSETS && key !== PAGES) await caches.delete(key);
    // Take the page that registered us (reached through the join redirect) at once.
    await self.clients.claim();
  })());
});

/** Keep a copy of a capture page (asked by the page itself, which the worker did not serve). */
async function keep(path) {
  const cache = await caches.open(PAGES);
  if (!(await cache.match(path))) {
    const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    if (response.ok && !response.redirected) await cache.put(path, response);
  }
  return Boolean(await cache.match(path));
}

async function fallback() {
  const kept = await caches.match(MANIFEST.offline);
  return kept || new Response('Hors connexion', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

async function page(request, path) {
  const cache = await caches.open(PAGES);
  const network = fetch(request).then((response) => {
    // Only the capture page is kept: it is what a person reloads during the walk.
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

async function asset(request, path) {
  const kept = await caches.match(path);
  return kept || fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    // Only the residents' pages: staff pages (with their data) are never stored on a device.
    if (RESIDENT_PAGES.test(url.pathname)) event.respondWith(page(request, url.pathname));
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
  } else if (data.keep && CAPTURE_PAGE.test(data.keep)) {
    const reply = (ok) => event.source && event.source.postMessage({ kept: data.keep, ok });
    event.waitUntil(keep(data.keep).then(reply, () => reply(false)));
  }
});
