// The capture page, enhanced: geolocation with its accuracy, the pin map (loaded when the person opens
// it), photos resized on the phone, questions that depend on the theme (none of good/bad about
// harassment), the offline outbox (IndexedDB first, then the API) and the service worker that keeps
// the page on the phone. The plain HTML form works without any of it.
import * as outbox from './outbox.js';
import { resizePhoto } from './photo.js';

const config = JSON.parse(document.getElementById('capture-config').textContent);
const T = config.text;
const form = document.getElementById('capture');
const walkCode = config.walk.join_code;
const lang = document.documentElement.lang || 'fr';
const themes = new Map(config.form.themes.map((t) => [t.key, t]));
const formKeys = new Set(['theme', 'subtheme', ...config.form.fields.map((f) => f.key)]);
const photoField = form.querySelector('.photo-field');
const maxPhotos = photoField ? Number(photoField.dataset.max) : 0;
const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k]);
const fields = new Map(config.form.fields.map((f) => [f.key, f]));
const isSensitive = (themeKey) => Boolean(themes.get(themeKey) && themes.get(themeKey).sensitive);
// Whether a question is asked about a theme (the form says: always, sensitive themes only, or the others).
const isAsked = (field, themeKey) => field.asked === 'always' || (field.asked === 'sensitive') === isSensitive(themeKey);

let editing = null; // UUID of the observation being edited
let photos = []; // {blob, url} resized, waiting for the next save
let gpsFix = null; // best recent fix {lat, lon, accuracy}
let pinMoved = false;
let retryTimer = null;
let retryDelay = 2000;

// --- position ---------------------------------------------------------------------------------------
const geoStatus = document.getElementById('geo-status');
const stopSelect = form.elements.stop;
let pinMap = null;
let geoDenied = false;

function setGeoStatus(textContent, warning = false) {
  geoStatus.textContent = textContent;
  geoStatus.className = warning ? 'geo warning' : 'geo';
}
// A position was given by hand: the "position unknown" error no longer holds.
function locationGiven(message) {
  pinMoved = true;
  form.querySelectorAll('.js-error[data-for="location"]').forEach((el) => el.remove());
  setGeoStatus(message);
}

// The pin map: its module and style sheet load when first opened (the GPS or a stop is often enough); the
// service worker keeps both, so it opens offline too.
const mapElement = document.getElementById('map');
const mapToggle = document.getElementById('map-toggle');
let mapLoading = null;

function loadMap() {
  const sheet = document.createElement('link');
  sheet.rel = 'stylesheet';
  sheet.href = new URL('../css/pinmap.css', import.meta.url).pathname;
  const styled = new Promise((resolve, reject) => { sheet.addEventListener('load', resolve); sheet.addEventListener('error', () => { sheet.remove(); reject(new Error(sheet.href)); }); });
  document.head.append(sheet);
  return Promise.all([import('./pinmap.js'), styled]).then(([{ createPinMap }]) => {
    // where the person already is (GPS fix, chosen stop) shows on the map at once
    const here = currentLocation();
    pinMap = createPinMap(mapElement, {
      walk: config.walk, tiles: config.tiles, text: T,
      onPin: () => { stopSelect.value = ''; locationGiven(T.pin_placed); },
    });
    if (here) pinMap.place(here.lat, here.lon, here.source, here.accuracy_m);
  });
}

async function toggleMap() {
  const open = mapToggle.getAttribute('aria-expanded') !== 'true';
  mapToggle.setAttribute('aria-expanded', String(open));
  mapToggle.textContent = open ? T.map_close : T.map_open;
  if (!open) { mapElement.hidden = true; return; }
  try {
    if (!mapLoading) mapLoading = loadMap();
    await mapLoading;
    mapElement.hidden = false;
    pinMap.invalidate();
    document.body.dataset.mapReady = '1';
  } catch (error) {
    // Not loaded (offline before the worker kept it): the list of stops still gives a position.
    mapLoading = null;
    mapElement.hidden = true;
    mapToggle.setAttribute('aria-expanded', 'false');
    mapToggle.textContent = T.map_open;
  }
}
mapToggle.hidden = false;
mapToggle.addEventListener('click', toggleMap);
// Choosing a stop from the list places the pin there: usable without a map, a finger or a GPS fix.
stopSelect.addEventListener('change', () => {
  const option = stopSelect.selectedOptions[0];
  if (!stopSelect.value) return;
  const [lon, lat] = stopSelect.value.split(',').map(Number);
  if (pinMap) pinMap.place(lat, lon, 'pin', null);
  locationGiven(fmt(T.stop_placed, { n: option.dataset.position }));
});

function showAccuracy(accuracy) {
  const m = Math.round(accuracy);
  const bad = accuracy > config.accuracy_warning_m;
  geoStatus.textContent = fmt(bad ? T.inaccurate : T.accuracy, { m });
  geoStatus.className = bad ? 'geo warning' : 'geo';
}

if ('geolocation' in navigator) {
  setGeoStatus(T.locating);
  navigator.geolocation.watchPosition(
    (pos) => {
      const { latitude: lat, longitude: lon, accuracy } = pos.coords;
      geoDenied = false;
      // Keep the better fix: a first fix can be hundreds of metres off and improve later.
      if (gpsFix && accuracy > gpsFix.accuracy && Date.now() - gpsFix.time < 30000) return;
      gpsFix = { lat, lon, accuracy, time: Date.now() };
      if (!pinMoved) {
        if (pinMap) pinMap.place(lat, lon, 'gps', accuracy);
        showAccuracy(accuracy);
      }
    },
    () => { geoDenied = true; if (!pinMoved) setGeoStatus(T.geo_denied, true); },
    { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 },
  );
} else {
  geoDenied = true;
  setGeoStatus(T.geo_denied, true);
}

function currentLocation() {
  if (pinMap && pinMap.position) {
    const p = pinMap.position;
    return { lon: p.lon, lat: p.lat, accuracy_m: p.source === 'gps' ? p.accuracy : null, source: p.source };
  }
  if (gpsFix) return { lon: gpsFix.lon, lat: gpsFix.lat, accuracy_m: gpsFix.accuracy, source: 'gps' };
  const stop = stopSelect.value;
  if (stop) {
    const [lon, lat] = stop.split(',').map(Number);
    return { lon, lat, accuracy_m: null, source: 'pin' };
  }
  return null;
}

// --- themes and sub-themes ----------------------------------------------------------------------------
const subthemes = document.getElementById('subthemes');
const subthemesStep = document.getElementById('subthemes-step');
function showSubthemes(themeKey, selected) {
  subthemes.replaceChildren();
  const theme = themes.get(themeKey);
  if (!theme || !theme.subthemes.length) { subthemesStep.hidden = true; return; }
  for (const sub of theme.subthemes) {
    const label = document.createElement('label');
    label.className = 'chip';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'subtheme';
    input.value = sub.key;
    input.checked = sub.key === selected;
    input.dataset.was = input.checked ? '1' : '';
    // a second tap on a chosen chip un-chooses it (the sub-theme is optional)
    input.addEventListener('click', () => { if (input.dataset.was === '1') { input.checked = false; } input.dataset.was = input.checked ? '1' : ''; });
    label.append(input, document.createTextNode(` ${sub.label}`));
    subthemes.append(label);
  }
  subthemesStep.hidden = false;
}
form.addEventListener('change', (event) => {
  if (event.target.name === 'theme') {
    showSubthemes(event.target.value, null);
    form.querySelectorAll('.js-error[data-for="theme"]').forEach((el) => el.remove());
  }
});

// --- photos -------------------------------------------------------------------------------------------
const photoInput = document.getElementById('photo-input');
const previews = document.getElementById('photo-previews');
if (photoField) photoField.hidden = false;
function renderPreviews() {
  if (!previews) return; // a form without a photo question has no previews
  previews.replaceChildren(...photos.map((p, index) => {
    const li = document.createElement('li');
    const img = document.createElement('img');
    img.src = p.url;
    img.alt = '';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'link';
    remove.textContent = T.delete;
    remove.addEventListener('click', () => { URL.revokeObjectURL(p.url); photos.splice(index, 1); renderPreviews(); });
    li.append(img, remove);
    return li;
  }));
}
if (photoInput) {
  photoInput.addEventListener('change', async () => {
    for (const file of photoInput.files) {
      if (photos.length >= maxPhotos) { flashMessage(fmt(T.photos_too_many, { n: maxPhotos }), true); break; }
      try {
        const blob = await resizePhoto(file);
        photos.push({ blob, url: URL.createObjectURL(blob) });
      } catch (error) {
        flashMessage(T.photo_unreadable, true);
      }
    }
    photoInput.value = '';
    renderPreviews();
  });
}

// --- messages -----------------------------------------------------------------------------------------
// Two lines: the connection (stays while offline, and while what waits is being sent after it came
// back) and the last save (it goes with the next action).
const netStatus = document.getElementById('net-status');
const saveStatus = document.getElementById('save-status');
let reconnecting = false;
function showNet() {
  if (!navigator.onLine) {
    netStatus.textContent = T.offline;
    netStatus.className = 'net warning';
    netStatus.hidden = false;
  } else if (reconnecting) {
    netStatus.textContent = T.online;
    netStatus.className = 'net';
    netStatus.hidden = false;
  } else {
    netStatus.hidden = true;
  }
}
let saveStatusTimer = null;
function flashMessage(text, warning = false) {
  saveStatus.textContent = text;
  saveStatus.className = warning ? 'net warning' : 'notice';
  saveStatus.hidden = false;
  clearTimeout(saveStatusTimer);
  saveStatusTimer = setTimeout(() => { saveStatus.hidden = true; }, 5000);
}
function fieldError(key, text) {
  const holder = form.querySelector(`[data-field="${key}"]`) || (key === 'theme' ? form.querySelector('.themes') : null)
    || (key === 'location' ? geoStatus : null);
  const p = document.createElement('p');
  p.className = 'field-error js-error';
  p.dataset.for = key;
  p.setAttribute('role', 'alert');
  p.textContent = text;
  if (holder === geoStatus) { geoStatus.after(p); } else if (holder) { holder.prepend(p); } else { form.prepend(p); }
}

// --- saving -------------------------------------------------------------------------------------------
function collectAnswers() {
  const data = new FormData(form);
  const theme = data.get('theme');
  const answers = {};
  for (const key of ['theme', 'subtheme', ...fields.keys()]) {
    const field = fields.get(key);
    // questions hidden for this theme (good/bad about harassment) send nothing, even if ticked before
    if (field && (field.external || !isAsked(field, theme))) continue;
    if (field && field.type === 'multiple_choice') {
      const ticked = data.getAll(key).map(String).filter(Boolean);
      if (ticked.length) answers[key] = ticked;
      continue;
    }
    const value = data.get(key);
    if (value === null || value === '') continue;
    answers[key] = field && field.type === 'rating' ? Number(value) : String(value);
  }
  return answers;
}

function resetForm() {
  // Where the person is does not change with the observation: a stop or a pin given by hand (no GPS)
  // stays for the next one; with a GPS fix the pin goes back to it.
  const stop = stopSelect.value;
  const kept = pinMap && pinMap.position && pinMap.position.source === 'pin' ? pinMap.position : null;
  form.reset();
  form.elements.client_uuid.value = '';
  subthemesStep.hidden = true;
  subthemes.replaceChildren();
  for (const p of photos) URL.revokeObjectURL(p.url);
  photos = [];
  renderPreviews();
  editing = null;
  document.getElementById('editing').hidden = true;
  document.getElementById('cancel-edit').hidden = true;
  document.getElementById('save').textContent = T.save;
  if (gpsFix) {
    pinMoved = false;
    if (pinMap) pinMap.place(gpsFix.lat, gpsFix.lon, 'gps', gpsFix.accuracy);
    showAccuracy(gpsFix.accuracy);
  } else if (kept || stop) {
    stopSelect.value = stop;
    if (pinMap && kept) pinMap.place(kept.lat, kept.lon, 'pin', null, { pan: false });
    pinMoved = true;
    setGeoStatus(stop ? fmt(T.stop_placed, { n: stopSelect.selectedOptions[0].dataset.position }) : T.pin_kept);
  } else {
    pinMoved = false;
    if (pinMap) pinMap.clear();
    if (geoDenied) setGeoStatus(T.geo_denied, true);
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  form.querySelectorAll('.js-error').forEach((el) => el.remove());
  const answers = collectAnswers();
  const location = currentLocation();
  let ok = true;
  if (!answers.theme) { fieldError('theme', T.theme_required); ok = false; }
  // The walk's form says which answers are required (the server checks them again).
  for (const field of config.form.fields) {
    if (!field.required || field.external || !isAsked(field, answers.theme) || answers[field.key] !== undefined) continue;
    fieldError(field.key, field.key === 'polarity' ? T.polarity_required : T.required);
    ok = false;
  }
  if (!location) { fieldError('location', T.location_required); ok = false; }
  if (!ok) { form.querySelector('.js-error').scrollIntoView({ block: 'center' }); return; }

  const uuid = editing || outbox.newUuid();
  const previous = editing ? await outbox.getEntry(uuid) : null;
  const payload = {
    client_uuid: uuid,
    form: { key: config.form.key, version: config.form.version },
    captured_at: previous ? previous.payload.captured_at : new Date().toISOString(),
    location: { ...location, accuracy_m: location.accuracy_m === null ? null : Math.round(location.accuracy_m * 10) / 10 },
    answers,
  };
  const url = `${config.api}/${uuid}`;
  const ops = [editing
    ? { kind: 'update', uuid, walk: walkCode, method: 'PUT', url, body: payload, token: config.token }
    : { kind: 'create', uuid, walk: walkCode, method: 'POST', url: config.api, body: payload, token: config.token }];
  for (const photo of photos) {
    ops.push({
      kind: 'photo', uuid, walk: walkCode, method: 'PUT', url: `${url}/photos/${outbox.newUuid()}`,
      body: photo.blob, token: config.token,
    });
  }
  await outbox.enqueue(ops, {
    uuid, walk: walkCode, payload,
    createdAt: previous ? previous.createdAt : Date.now(),
    zoneName: previous ? previous.zoneName : null,
    photos: (previous ? previous.photos || 0 : 0) + photos.length,
    pendingPhotos: photos.length,
  });
  resetForm();
  flashMessage(T.saved_locally);
  window.scrollTo({ top: 0, behavior: 'smooth' });
  requestSync();
  sendNow();
});

document.getElementById('cancel-edit').addEventListener('click', resetForm);

function startEditing(entry) {
  resetForm();
  editing = entry.uuid;
  const a = entry.payload.answers;
  for (const [key, value] of Object.entries(a)) {
    const el = form.elements[key];
    if (!el) continue;
    if (el instanceof RadioNodeList || el.type === 'radio' || el.type === 'checkbox') {
      const chosen = (Array.isArray(value) ? value : [value]).map(String);
      for (const r of form.querySelectorAll(`input[name="${key}"]`)) r.checked = chosen.includes(String(r.value));
    } else {
      el.value = value;
    }
  }
  showSubthemes(a.theme, a.subtheme);
  const more = form.querySelector('details.more');
  if (more && Object.keys(a).some((k) => a[k] !== '' && more.querySelector(`[name="${k}"]`))) more.open = true;
  const loc = entry.payload.location;
  pinMoved = true;
  if (pinMap) pinMap.place(loc.lat, loc.lon, loc.source, loc.accuracy_m);
  const banner = document.getElementById('editing');
  banner.textContent = T.editing;
  banner.hidden = false;
  document.getElementById('cancel-edit').hidden = false;
  document.getElementById('save').textContent = T.save_changes;
  form.scrollIntoView({ behavior: 'smooth' });
}

async function deleteEntry(entry) {
  if (!window.confirm(T.confirm_delete)) return;
  await outbox.enqueue(
    [{ kind: 'delete', uuid: entry.uuid, walk: walkCode, method: 'DELETE', url: `${config.api}/${entry.uuid}`, token: config.token }],
    { ...entry, state: 'deleting' },
  );
  sendNow();
}

// --- the list of my observations ----------------------------------------------------------------------
const list = document.getElementById('mine');
const retryButton = document.getElementById('retry');

function reason(error) {
  if (!error) return '';
  if (error.kind === 'network') return T.no_network;
  if (error.kind === 'server') return T.server_busy;
  const parts = [error.message || T.refused];
  if (error.details && typeof error.details === 'object' && !Array.isArray(error.details)) {
    for (const problems of Object.values(error.details)) {
      if (Array.isArray(problems)) for (const p of problems) if (p && p.message) parts.push(p.message[lang] || p.message.fr);
    }
  }
  return parts.filter(Boolean).join(' · ');
}

const clock = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
function timeOf(entry) {
  const when = Date.parse(entry.payload.captured_at || '') || entry.createdAt;
  return when ? fmt(T.at, { time: clock.format(new Date(when)) }) : '';
}

function span(className, textContent) {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = textContent;
  return el;
}

async function render() {
  const entries = await outbox.journal(walkCode);
  const items = entries.map((entry) => {
    const li = document.createElement('li');
    const answers = entry.payload.answers;
    li.className = `item ${entry.state}`;
    li.dataset.uuid = entry.uuid;
    li.dataset.state = entry.state;
    const head = document.createElement('p');
    head.className = 'item-head';
    head.append(span('state', T[entry.state] || entry.state), ' ', span('time', timeOf(entry)));
    const what = document.createElement('p');
    what.className = 'item-what';
    const theme = themes.get(answers.theme);
    const title = document.createElement('strong');
    title.textContent = theme ? `${theme.icon.emoji} ${theme.label}` : '';
    what.append(title);
    if (answers.polarity && T[answers.polarity] && !isSensitive(answers.theme)) {
      what.append(' ', span(`polarity ${answers.polarity}`, `· ${T[answers.polarity]}`));
    }
    if (entry.zoneName) what.append(' ', span('zone', `· ${entry.zoneName}`));
    li.append(head, what);
    if (answers.note) {
      const note = document.createElement('p');
      note.className = 'note';
      note.textContent = answers.note;
      li.append(note);
    }
    if (entry.pendingPhotos) {
      const p = document.createElement('p');
      p.className = 'photos';
      p.textContent = fmt(T.photos_pending, { n: entry.pendingPhotos });
      li.append(p);
    }
    if (entry.error && entry.state !== 'sending') {
      const why = document.createElement('p');
      why.className = entry.state === 'failed' ? 'why failed' : 'why';
      why.textContent = reason(entry.error);
      li.append(why);
    }
    if (entry.state !== 'deleting') {
      const actions = document.createElement('p');
      actions.className = 'item-actions';
      const edit = document.createElement('button');
      edit.type = 'button';
      edit.className = 'secondary small';
      edit.textContent = T.edit;
      edit.addEventListener('click', () => startEditing(entry));
      const del = document.createElement('button');
      del.type = 'button';
      del.className = 'secondary small';
      del.textContent = T.delete;
      del.addEventListener('click', () => deleteEntry(entry));
      actions.append(edit, ' ', del);
      li.append(actions);
    }
    return li;
  });
  if (!items.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = T.empty;
    items.push(li);
  }
  list.replaceChildren(...items);
  // « Réessayer » only after a failure: a refusal, or an attempt that did not get through. Never for
  // what simply waits (offline) or is on its way (a slow link).
  retryButton.hidden = !entries.some((e) => e.state === 'failed' || (e.error && e.state !== 'sending'));
  if (reconnecting && !(await outbox.pending()).length) {
    reconnecting = false;
    showNet();
  }
}

outbox.events.addEventListener('changed', () => { render(); });

// --- sending ------------------------------------------------------------------------------------------
async function sendNow() {
  clearTimeout(retryTimer);
  const result = await outbox.flush();
  if (result.stopped) {
    // Try again later, then less and less often (the online event and the sync event also wake us).
    retryTimer = setTimeout(sendNow, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  } else {
    retryDelay = 2000;
  }
  return result;
}

function requestSync() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register('outbox')).catch(() => {});
}

retryButton.addEventListener('click', async () => { await outbox.retryFailed(); sendNow(); });
window.addEventListener('online', async () => {
  reconnecting = (await outbox.pending()).length > 0;
  showNet();
  sendNow();
});
window.addEventListener('offline', showNet);

async function fromServer() {
  try {
    const response = await fetch(config.api, { headers: { Authorization: `Bearer ${config.token}` }, cache: 'no-store' });
    if (!response.ok) return;
    const worker = response.headers.get('X-Arpenteur-Worker');
    if (worker) updateWorker(worker).catch(() => {});
    const data = await response.json();
    await outbox.mergeServer(walkCode, data.observations, (item) => ({
      uuid: item.client_uuid,
      payload: {
        client_uuid: item.client_uuid,
        form: item.form,
        captured_at: item.captured_at,
        location: item.location,
        // Columns the server keeps apart (polarity, feeling, note, proposal) go back to the fields of
        // the walk's form only: another form has no such questions.
        answers: Object.fromEntries(Object.entries({
          theme: item.theme, subtheme: item.subtheme, polarity: item.polarity, feeling: item.feeling,
          note: item.note, proposal: item.proposal, ...item.answers,
        }).filter(([k, v]) => v !== null && v !== '' && formKeys.has(k)
          && (!fields.has(k) || isAsked(fields.get(k), item.theme)))),
      },
      createdAt: Date.parse(item.captured_at),
      zoneName: item.zone ? item.zone.name : null,
      photos: item.photos.length,
      pendingPhotos: 0,
    }));
  } catch (error) {
    // Offline: the journal already shows what this phone knows.
  }
}

// --- the service worker and its versions -------------------------------------------------------------
// Its URL carries the version (/sw.js?v=…) and the browser keeps it a day ('all'): its checks cost nothing.
// The API's answer names the current URL; a new one installs, takes this page over, and the page offers
// to reload (the outbox is in IndexedDB: nothing waiting is lost).
const WORKER = { type: 'module', scope: '/', updateViaCache: 'all' };

async function updateWorker(url) {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration('/');
  const newest = registration && (registration.installing || registration.waiting || registration.active);
  if (newest && newest.scriptURL === new URL(url, window.location.href).href) return;
  await navigator.serviceWorker.register(url, WORKER);
}

function watchVersions() {
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // The first worker taking this page is no news; a later one is a new version.
    if (controlled) {
      document.getElementById('update').hidden = false;
      document.body.dataset.update = '1';
    }
    controlled = true;
  });
  document.getElementById('update-reload').addEventListener('click', () => window.location.reload());
}

// --- offline from the first second -------------------------------------------------------------------
// The page reached through the join redirect was not served by the worker: ask it to keep a copy now,
// so a reload without network right after joining still shows the form and the outbox.
async function keepForOffline() {
  if (!('serviceWorker' in navigator) || !('caches' in window)) return;
  const path = window.location.pathname;
  const ready = document.getElementById('offline-ready');
  const done = () => { ready.hidden = false; document.body.dataset.offlineReady = '1'; };
  const registration = await navigator.serviceWorker.ready;
  if (await caches.match(path)) { done(); return; }
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data && event.data.kept === path && event.data.ok) done();
  });
  registration.active.postMessage({ keep: path });
}

// --- the save bar: sticky while small ------------------------------------------------------------------
// With large text the bar would cover too much of the screen: past 15 % of its height it stops sticking.
const actions = form.querySelector('.actions');
// While it sticks, what the keyboard reaches (or a scroll into view) stops above it, never under it.
function fitSaveBar() {
  actions.classList.remove('unstuck');
  const height = actions.getBoundingClientRect().height;
  const stuck = height <= window.innerHeight * 0.15;
  actions.classList.toggle('unstuck', !stuck);
  document.documentElement.style.scrollPaddingBottom = stuck ? `${Math.ceil(height) + 8}px` : '0px';
}
if (typeof ResizeObserver !== 'undefined') new ResizeObserver(fitSaveBar).observe(actions);
window.addEventListener('resize', fitSaveBar);

async function start() {
  await outbox.setMeta('participant', { token: config.token, walk: walkCode });
  if ('serviceWorker' in navigator) {
    watchVersions();
    // A worker already here stays (the API brings the next): an older page must not register its URL.
    navigator.serviceWorker.getRegistration('/').then((known) => known || navigator.serviceWorker.register(config.sw, WORKER))
      .catch(() => {});
    navigator.serviceWorker.addEventListener('message', (event) => { if (!event.data || !event.data.kept) render(); });
    keepForOffline().catch(() => {});
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  showNet();
  fitSaveBar();
  await render();
  await sendNow();
  await fromServer();
  document.body.dataset.ready = '1';
}

start();
