// The offline outbox. Every change is written to IndexedDB first, then sent to the API; an operation
// leaves the outbox only when the server acknowledged it (200, 201 or 204). Network errors, 429 and 5xx
// keep it for a later try; other refusals mark it failed with the server's reason, for the person to see.
// No DOM here: the service worker imports this module too, so a flush can run with the page closed.

const DB_NAME = 'arpenteur';
const DB_VERSION = 1;
const CHANNEL = 'arpenteur-outbox';

/** Events for this window or worker ("changed"); other contexts hear them on a BroadcastChannel. */
export const events = new EventTarget();
const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANNEL) : null;
if (channel) channel.onmessage = () => events.dispatchEvent(new Event('changed'));

function changed() {
  events.dispatchEvent(new Event('changed'));
  if (channel) channel.postMessage('changed');
}

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        db.createObjectStore('journal', { keyPath: 'uuid' });
        db.createObjectStore('meta', { keyPath: 'key' });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return dbPromise;
}

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

async function transaction(stores, mode, work) {
  const db = await openDb();
  const tx = db.transaction(stores, mode);
  const finished = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  const result = await work(tx);
  await finished;
  return result;
}

/** A UUID made on the phone (randomUUID needs a secure context; the fallback is RFC 4122 v4 too). */
export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export async function setMeta(key, value) {
  await transaction(['meta'], 'readwrite', (tx) => done(tx.objectStore('meta').put({ key, value })));
}

export async function getMeta(key) {
  const row = await transaction(['meta'], 'readonly', (tx) => done(tx.objectStore('meta').get(key)));
  return row ? row.value : undefined;
}

/** Store operations and the journal entry they concern, atomically. */
export async function enqueue(ops, entry) {
  await transaction(['outbox', 'journal'], 'readwrite', async (tx) => {
    const outbox = tx.objectStore('outbox');
    for (const op of ops) outbox.add({ failed: false, error: null, ...op });
    tx.objectStore('journal').put({ ...entry, state: entry.state || 'waiting', error: null, updatedAt: Date.now() });
  });
  changed();
}

/** The journal of one walk, newest first. */
export async function journal(walk) {
  const rows = await transaction(['journal'], 'readonly', (tx) => done(tx.objectStore('journal').getAll()));
  return rows.filter((r) => r.walk === walk).sort((a, b) => b.createdAt - a.createdAt);
}

export async function getEntry(uuid) {
  return transaction(['journal'], 'readonly', (tx) => done(tx.objectStore('journal').get(uuid)));
}

/** Operations not yet acknowledged (failed ones included). */
export async function pending() {
  return transaction(['outbox'], 'readonly', (tx) => done(tx.objectStore('outbox').getAll()));
}

/** Bring in what the server has (made before this phone's storage was cleared, or elsewhere). */
export async function mergeServer(walk, items, toEntry) {
  await transaction(['outbox', 'journal'], 'readwrite', async (tx) => {
    const ops = await done(tx.objectStore('outbox').getAll());
    const busy = new Set(ops.map((op) => op.uuid));
    const store = tx.objectStore('journal');
    const known = (await done(store.getAll())).filter((r) => r.walk === walk);
    const onServer = new Set(items.map((i) => i.client_uuid));
    for (const item of items) {
      if (busy.has(item.client_uuid)) continue;
      store.put({ ...toEntry(item), walk, state: 'sent', error: null, updatedAt: Date.now() });
    }
    for (const row of known) {
      // Acknowledged once but gone from the server (deleted elsewhere): drop it here too.
      if (row.state === 'sent' && !busy.has(row.uuid) && !onServer.has(row.uuid)) store.delete(row.uuid);
    }
  });
  changed();
}

async function acknowledge(op, data) {
  await transaction(['outbox', 'journal'], 'readwrite', async (tx) => {
    const outbox = tx.objectStore('outbox');
    outbox.delete(op.seq);
    const rest = (await done(outbox.getAll())).filter((o) => o.uuid === op.uuid && o.seq !== op.seq);
    const store = tx.objectStore('journal');
    const entry = await done(store.get(op.uuid));
    if (!entry) return;
    if (op.kind === 'delete') {
      store.delete(op.uuid);
      return;
    }
    if (data && data.zone !== undefined) {
      // The quartier's name, or nothing: "outside any zone" is no news to the person.
      entry.zoneName = data.zone ? data.zone.name : null;
      entry.outOfArea = data.out_of_area;
    }
    entry.pendingPhotos = rest.filter((o) => o.kind === 'photo').length;
    entry.state = rest.some((o) => o.failed) ? 'failed' : rest.length ? 'waiting' : 'sent';
    entry.error = rest.some((o) => o.failed) ? entry.error : null;
    entry.updatedAt = Date.now();
    store.put(entry);
  });
}

/** Mark the entry of an operation about to leave: "sending" (a deletion stays "deleting"). */
async function sending(op) {
  await transaction(['journal'], 'readwrite', async (tx) => {
    const store = tx.objectStore('journal');
    const entry = await done(store.get(op.uuid));
    if (entry && entry.state !== 'deleting') store.put({ ...entry, state: 'sending', updatedAt: Date.now() });
  });
  changed();
}

/** Entries left "sending" by a flush that did not finish (page closed, worker stopped). */
async function unstick() {
  await transaction(['journal'], 'readwrite', async (tx) => {
    const store = tx.objectStore('journal');
    for (const entry of await done(store.getAll())) {
      if (entry.state === 'sending') store.put({ ...entry, state: 'waiting' });
    }
  });
}

async function note(op, { failed, error }) {
  await transaction(['outbox', 'journal'], 'readwrite', async (tx) => {
    const outbox = tx.objectStore('outbox');
    const stored = await done(outbox.get(op.seq));
    if (stored) outbox.put({ ...stored, failed, error });
    const store = tx.objectStore('journal');
    const entry = await done(store.get(op.uuid));
    if (entry) store.put({ ...entry, state: failed ? 'failed' : entry.state === 'deleting' ? 'deleting' : 'waiting', error, updatedAt: Date.now() });
  });
}

function request(op) {
  const headers = { Authorization: `Bearer ${op.token}` };
  let body;
  if (op.kind === 'photo') {
    headers['Content-Type'] = op.body.type || 'image/jpeg';
    body = op.body;
  } else if (op.body !== undefined && op.body !== null) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(op.body);
  }
  return fetch(op.url, { method: op.method, headers, body, credentials: 'omit', cache: 'no-store' });
}

let running = null;

/**
 * Send what waits, oldest first. Stops at the first network error or busy server (order matters:
 * a photo needs its observation); skips operations of an observation the server refused.
 * Returns {sent, failed, stopped} where stopped is null, "network" or "server".
 */
export function flush() {
  if (running) return running;
  const run = async () => {
    const result = { sent: 0, failed: 0, stopped: null };
    // Under the lock no other flush runs: an entry still "sending" was left by one that stopped.
    await unstick();
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      // No attempt while the phone knows it is offline: the entries stay "waiting", with no error.
      result.stopped = 'network';
      return result;
    }
    const ops = (await pending()).sort((a, b) => a.seq - b.seq);
    const blocked = new Set();
    for (const op of ops) {
      if (op.failed || blocked.has(op.uuid)) {
        blocked.add(op.uuid);
        continue;
      }
      let response;
      await sending(op);
      try {
        response = await request(op);
      } catch (error) {
        await note(op, { failed: false, error: { kind: 'network' } });
        changed();
        result.stopped = 'network';
        return result;
      }
      const data = response.status === 204 ? null : await response.json().catch(() => null);
      if (response.ok || (op.kind === 'delete' && response.status === 404)) {
        await acknowledge(op, data);
        result.sent += 1;
      } else if (response.status === 429 || response.status === 408 || response.status >= 500) {
        await note(op, { failed: false, error: { kind: 'server', status: response.status } });
        changed();
        result.stopped = 'server';
        return result;
      } else {
        await note(op, { failed: true, error: { kind: 'refused', status: response.status, ...(data || {}) } });
        blocked.add(op.uuid);
        result.failed += 1;
      }
      changed();
    }
    return result;
  };
  const locked = typeof navigator !== 'undefined' && navigator.locks
    ? navigator.locks.request('arpenteur-outbox-flush', run)
    : run();
  running = locked.finally(() => { running = null; });
  return running;
}

/** Try again the operations the server refused (after the person fixed the cause, or on demand). */
export async function retryFailed() {
  await transaction(['outbox', 'journal'], 'readwrite', async (tx) => {
    const outbox = tx.objectStore('outbox');
    const journalStore = tx.objectStore('journal');
    for (const op of await done(outbox.getAll())) {
      if (!op.failed) continue;
      outbox.put({ ...op, failed: false });
      const entry = await done(journalStore.get(op.uuid));
      if (entry) journalStore.put({ ...entry, state: 'waiting' });
    }
  });
  changed();
  return flush();
}

/** Forget an entry whose operations all failed (the person gives up on it). */
export async function discard(uuid) {
  await transaction(['outbox', 'journal'], 'readwrite', async (tx) => {
    const outbox = tx.objectStore('outbox');
    for (const op of await done(outbox.getAll())) if (op.uuid === uuid) outbox.delete(op.seq);
    tx.objectStore('journal').delete(uuid);
  });
  changed();
}
