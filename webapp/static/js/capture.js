// The capture page, enhanced: geolocation with its accuracy, the pin map, photos resized on the phone,
// and the offline outbox (IndexedDB first, then the API). The plain HTML form works without any of it.
import * as outbox from './outbox.js';
import { createPinMap } from './pinmap.js';
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

let editing = null; // UUID of the observation being edited
let photos = []; // {blob, url} resized, waiting for the next save
let gpsFix = null; // best recent fix {lat, lon, accuracy}
let pinMoved = false;
let retryTimer = null;
let retryDelay = 2000;

// --- position ---------------------------------------------------------------------------------------
const geoStatus = document.getElementById('geo-status');
let pinMap = null;
if (window.L) {
  try {
    pinMap = createPinMap(document.getElementById('map'), {
      walk: config.walk, tiles: config.tiles, text: T,
      onPin: () => { pinMoved = true; geoStatus.textContent = T.pin_placed; geoStatus.className = 'geo'; },
    });
  } catch (error) {
    pinMap = null;
  }
}
// Choosing a stop from the list places the pin there: usable without a map, a finger or a GPS fix.
form.elements.stop.addEventListener('change', () => {
  const value = form.elements.stop.value;
  if (!value || !pinMap) return;
  const [lon, lat] = value.split(',').map(Number);
  pinMap.place(lat, lon, 'pin', null);
  pinMoved = true;
  geoStatus.textContent = T.pin_placed;
  geoStatus.className = 'geo';
});

function showAccuracy(accuracy) {
  const m = Math.round(accuracy);
  const bad = accuracy > config.accuracy_warning_m;
  geoStatus.textContent = fmt(bad ? T.inaccurate : T.accuracy, { m });
  geoStatus.className = bad ? 'geo warning' : 'geo';
}

if ('geolocation' in navigator) {
  geoStatus.textContent = T.locating;
  navigator.geolocation.watchPosition(
    (pos) => {
      const { latitude: lat, longitude: lon, accuracy } = pos.coords;
      // Keep the better fix: a first fix can be hundreds of metres off and improve later.
      if (gpsFix && accuracy > gpsFix.accuracy && Date.now() - gpsFix.time < 30000) return;
      gpsFix = { lat, lon, accuracy, time: Date.now() };
      if (!pinMoved) {
        if (pinMap) pinMap.place(lat, lon, 'gps', accuracy);
        showAccuracy(accuracy);
      }
    },
    () => { if (!pinMoved) { geoStatus.textContent = T.geo_denied; geoStatus.className = 'geo warning'; } },
    { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 },
  );
} else {
  geoStatus.textContent = T.geo_denied;
}

function currentLocation() {
  if (pinMap && pinMap.position) {
    const p = pinMap.position;
    return { lon: p.lon, lat: p.lat, accuracy_m: p.source === 'gps' ? p.accuracy : null, source: p.source };
  }
  if (gpsFix) return { lon: gpsFix.lon, lat: gpsFix.lat, accuracy_m: gpsFix.accuracy, source: 'gps' };
  const stop = form.elements.stop && form.elements.stop.value;
  if (stop) {
    const [lon, lat] = stop.split(',').map(Number);
    return { lon, lat, accuracy_m: null, source: 'pin' };
  }
  return null;
}

// --- themes and sub-themes ----------------------------------------------------------------------------
const subthemes = document.getElementById('subthemes');
function showSubthemes(themeKey, selected) {
  subthemes.replaceChildren();
  const theme = themes.get(themeKey);
  if (!theme || !theme.subthemes.length) { subthemes.hidden = true; return; }
  for (const sub of theme.subthemes) {
    const label = document.createElement('label');
    label.className = 'chip';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'subtheme';
    input.value = sub.key;
    input.checked = sub.key === selected;
    input.addEventListener('click', () => { if (input.dataset.was === '1') { input.checked = false; } input.dataset.was = input.checked ? '1' : ''; });
    label.append(input, document.createTextNode(` ${sub.label}`));
    subthemes.append(label);
  }
  subthemes.hidden = false;
}
form.addEventListener('change', (event) => {
  if (event.target.name === 'theme') showSubthemes(event.target.value, null);
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
const netStatus = document.getElementById('net-status');
function flashMessage(text, warning = false) {
  netStatus.textContent = text;
  netStatus.className = warning ? 'net warning' : 'net';
  netStatus.hidden = false;
}
function fieldError(key, text) {
  const holder = form.querySelector(`[data-field="${key}"]`) || (key === 'theme' ? form.querySelector('.themes') : null)
    || (key === 'location' ? geoStatus : null);
  const p = document.createElement('p');
  p.className = 'field-error js-error';
  p.setAttribute('role', 'alert');
  p.textContent = text;
  if (holder === geoStatus) { geoStatus.after(p); } else if (holder) { holder.prepend(p); } else { form.prepend(p); }
}

// --- saving -------------------------------------------------------------------------------------------
function collectAnswers() {
  const data = new FormData(form);
  const answers = {};
  for (const key of ['theme', 'subtheme', ...config.form.fields.map((f) => f.key)]) {
    const field = config.form.fields.find((f) => f.key === key);
    if (field && field.external) continue;
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
  form.reset();
  form.elements.client_uuid.value = '';
  subthemes.hidden = true;
  subthemes.replaceChildren();
  for (const p of photos) URL.revokeObjectURL(p.url);
  photos = [];
  renderPreviews();
  editing = null;
  pinMoved = false;
  document.getElementById('editing').hidden = true;
  document.getElementById('cancel-edit').hidden = true;
  document.getElementById('save').textContent = T.save;
  if (pinMap) {
    if (gpsFix) { pinMap.place(gpsFix.lat, gpsFix.lon, 'gps', gpsFix.accuracy); showAccuracy(gpsFix.accuracy); } else { pinMap.clear(); }
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
    if (!field.required || field.external || answers[field.key] !== undefined) continue;
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
  const parts = [error.message];
  if (error.details && typeof error.details === 'object' && !Array.isArray(error.details)) {
    for (const problems of Object.values(error.details)) {
      if (Array.isArray(problems)) for (const p of problems) if (p && p.message) parts.push(p.message[lang] || p.message.fr);
    }
  }
  return parts.filter(Boolean).join(' · ');
}

async function render() {
  const entries = await outbox.journal(walkCode);
  const items = entries.map((entry) => {
    const li = document.createElement('li');
    li.className = `item ${entry.state}`;
    li.dataset.uuid = entry.uuid;
    li.dataset.state = entry.state;
    const state = document.createElement('span');
    state.className = 'state';
    state.textContent = T[entry.state] || entry.state;
    const theme = themes.get(entry.payload.answers.theme);
    const title = document.createElement('strong');
    title.textContent = theme ? `${theme.icon.emoji} ${theme.label}` : entry.payload.answers.theme;
    const polarity = document.createElement('span');
    polarity.className = `polarity ${entry.payload.answers.polarity || ''}`.trim();
    polarity.textContent = T[entry.payload.answers.polarity] || '';
    li.append(state, ' ', title, ' ', polarity);
    if (entry.zoneName) {
      const zone = document.createElement('span');
      zone.className = 'zone';
      zone.textContent = fmt(T.zone, { name: entry.zoneName });
      li.append(' ', zone);
    }
    if (entry.payload.answers.note) {
      const note = document.createElement('p');
      note.className = 'note';
      note.textContent = entry.payload.answers.note;
      li.append(note);
    }
    if (entry.pendingPhotos) {
      const p = document.createElement('p');
      p.className = 'photos';
      p.textContent = fmt(T.photos_pending, { n: entry.pendingPhotos });
      li.append(p);
    }
    if (entry.error) {
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
  retryButton.hidden = !entries.some((e) => e.state === 'failed' || e.state === 'waiting' || e.state === 'deleting');
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
window.addEventListener('online', () => { flashMessage(T.online); sendNow(); });
window.addEventListener('offline', () => flashMessage(T.offline, true));

async function fromServer() {
  try {
    const response = await fetch(config.api, { headers: { Authorization: `Bearer ${config.token}` }, cache: 'no-store' });
    if (!response.ok) return;
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
        }).filter(([k, v]) => v !== null && v !== '' && formKeys.has(k))),
      },
      createdAt: Date.parse(item.captured_at),
      zoneName: item.zone_name,
      photos: item.photos.length,
      pendingPhotos: 0,
    }));
  } catch (error) {
    // Offline: the journal already shows what this phone knows.
  }
}

async function start() {
  await outbox.setMeta('participant', { token: config.token, walk: walkCode });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register(config.sw, { type: 'module', scope: '/' }).catch(() => {});
    navigator.serviceWorker.addEventListener('message', () => render());
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  if (!navigator.onLine) flashMessage(T.offline, true);
  await render();
  await sendNow();
  await fromServer();
  document.body.dataset.ready = '1';
}

start();
