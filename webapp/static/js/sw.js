// Service worker: keeps the capture page and its assets for offline use, and sends the outbox when the
// browser says the network is back (Background Sync, where it exists). The API is never cached.
import { flush } from '/static/js/outbox.js';

const CACHE = 'arpenteur-capture-v2';
const ASSETS = [
  '/static/css/app.css',
  '/static/css/capture.css',
  '/static/js/capture.js',
  '/static/js/outbox.js',
  '/static/js/pinmap.js',
  '/static/js/photo.js',
  '/static/manifest.webmanifest',
  '/static/img/icon-192.png',
  '/static/img/favicon.svg',
  '/static/vendor/leaflet/dist/leaflet.js',
  '/static/vendor/leaflet/dist/leaflet.css',
  '/static/vendor/leaflet/dist/images/marker-icon.png',
  '/static/vendor/leaflet/dist/images/marker-icon-2x.png',
  '/static/vendor/leaflet/dist/images/marker-shadow.png',
];
const KEPT = new Set(ASSETS);
const RESIDENT_PAGES = /^\/(m\/[A-Za-z0-9]+|rejoindre)$/;
// How long a page request may take before the copy kept on the phone is shown instead.
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

async function page(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    if (response.ok && !response.redirected) cache.put(request, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, null));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
  } catch (error) {
    // Offline: fall through to the kept copy.
  }
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  return network.catch(() => new Response(
    '<!doctype html><meta charset="utf-8"><title>Hors connexion</title><p>Hors connexion : ouvrez cette page une première fois avec du réseau.</p>',
    { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
  ));
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  const network = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (kept) {
    network.catch(() => null); // refresh in the background
    return kept;
  }
  return network;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    // Only the residents' pages are kept: staff pages (with their data) are never stored on a device.
    if (RESIDENT_PAGES.test(url.pathname)) event.respondWith(page(request));
  } else if (KEPT.has(url.pathname)) {
    event.respondWith(asset(request));
  }
});

self.addEventListener('sync', (event) => {
  if (event.tag === 'outbox') event.waitUntil(flush());
});

self.addEventListener('message', (event) => {
  if (event.data === 'flush') event.waitUntil(flush());
});
