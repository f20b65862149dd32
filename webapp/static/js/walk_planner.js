// The route and stops editor of the walk planning page.
//
// The two text fields of the form (route: "lon, lat" per line; stops: "lon, lat, name" per line) are
// the source of truth that the server reads: this module draws them on a Leaflet map, lets people
// click to add points, drag them (route vertices through Leaflet.draw's polyline editing, served by
// the app like Leaflet), add, rename, reorder and delete stops, undo, and writes every change back
// into the text. Typing in the text fields redraws the map, so the keyboard path stays complete.
// Without JavaScript the page is the plain form with its text fields.

const L = window.L;
// Leaflet.draw 1.0.4 reads Leaflet 0.7's L.Polyline._flat, which Leaflet 1.9 keeps only to warn that
// it is deprecated (one console warning each time a route is edited): the same test, without it.
if (L.LineUtil && L.LineUtil.isFlat) {
  L.Polyline._flat = L.LineUtil.isFlat;
}
const config = JSON.parse(document.getElementById('planner-config').textContent);
const text = config.text;
const form = document.getElementById('walk-plan');
const routeField = form.elements.route;
const stopsField = form.elements.stops;
const root = document.querySelector('[data-planner]');
const list = root.querySelector('[data-stop-list]');
const countOut = root.querySelector('[data-count]');
const undoButton = root.querySelector('[data-action="undo"]');
const textError = root.querySelector('[data-text-error]');

const fmt = (template, values) => template.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key]));
const round = (v) => Math.round(v * 1e6) / 1e6;

function parseRoute(value) {
  const points = [];
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const parts = line.includes(';') ? line.split(';').map((p) => p.trim().replace(',', '.')) : line.replace(/,/g, ' ').split(/\s+/);
    if (parts.length !== 2) throw new Error(line);
    const [lon, lat] = parts.map(Number);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new Error(line);
    points.push([lat, lon]);
  }
  return points;
}

function parseStops(value) {
  const stops = [];
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const match = line.match(/^\s*([^,]+),([^,]+),(.*)$/);
    if (!match || !match[3].trim()) throw new Error(line);
    const lon = Number(match[1]);
    const lat = Number(match[2]);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new Error(line);
    stops.push({ name: match[3].trim(), lat, lng: lon });
  }
  return stops;
}

let state = { route: [], stops: [] };
try {
  state = { route: parseRoute(routeField.value), stops: parseStops(stopsField.value) };
} catch (_error) {
  textError.hidden = false;
  textError.textContent = text.text_error;
}
const history = [];
let mode = 'route';

function snapshot() {
  return JSON.parse(JSON.stringify(state));
}

function writeBack() {
  routeField.value = state.route.map(([lat, lng]) => `${round(lng).toFixed(6)}, ${round(lat).toFixed(6)}`).join('\n');
  stopsField.value = state.stops.map((s) => `${round(s.lng).toFixed(6)}, ${round(s.lat).toFixed(6)}, ${s.name}`).join('\n');
}

function change(mutate) {
  history.push(snapshot());
  mutate();
  writeBack();
  render();
}

root.hidden = false;
const map = L.map('planner-map', { zoomControl: true, attributionControl: Boolean(config.tiles) });
if (config.tiles) {
  L.tileLayer(config.tiles.url, { maxZoom: 19, attribution: config.tiles.attribution }).addTo(map);
}
const zones = L.geoJSON(config.zones, {
  style: { color: '#546e7a', weight: 2, fillColor: '#90a4ae', fillOpacity: 0.12 },
  interactive: false,
}).addTo(map);
const drawn = L.featureGroup().addTo(map);

function label(element, name) {
  if (!element) return;
  element.setAttribute('aria-label', name);
  element.setAttribute('title', name);
}

function stopIcon(position) {
  return L.divIcon({ className: 'stop-pin', html: `<span>${position}</span>`, iconSize: [30, 30], iconAnchor: [15, 15] });
}

function render() {
  drawn.clearLayers();
  const before = snapshot();
  if (state.route.length >= 2) {
    // Leaflet.draw's editing reads `editing` and `original` styles (its toolbar sets them normally).
    const style = { color: '#0b5cad', weight: 5, opacity: 0.85 };
    const line = L.polyline(state.route, { ...style, editing: { ...style }, original: { ...style } });
    line.addTo(drawn);
    // Vertices are draggable while adding route points; in stop mode a click always adds a stop.
    if (mode === 'route') line.editing.enable();
    // A drag, a click that removes a vertex or a drag of a middle handle (inserts one): all undoable.
    line.on('edit', () => {
      history.push(before);
      state.route = line.getLatLngs().map((p) => [p.lat, p.lng]);
      writeBack();
      // After Leaflet.draw has finished with this line (it still uses its map right after 'edit').
      setTimeout(render, 0);
    });
    let n = 0;
    for (const handler of line.editing._verticesHandlers || []) {
      for (const marker of handler._markers || []) {
        n += 1;
        label(marker.getElement(), fmt(text.vertex, { n }));
      }
      handler._markerGroup?.eachLayer((marker) => {
        if (!handler._markers.includes(marker)) label(marker.getElement(), text.insert);
      });
    }
  } else if (state.route.length === 1) {
    const [lat, lng] = state.route[0];
    const only = L.circleMarker([lat, lng], { radius: 7, color: '#0b5cad', weight: 3, fillOpacity: 1 });
    only.addTo(drawn);
  }
  state.stops.forEach((stop, index) => {
    const marker = L.marker([stop.lat, stop.lng], {
      draggable: true,
      icon: stopIcon(index + 1),
      title: `${text.stop} ${index + 1} · ${stop.name}`,
      riseOnHover: true,
    });
    marker.on('dragend', () => {
      const p = marker.getLatLng();
      change(() => {
        state.stops[index].lat = p.lat;
        state.stops[index].lng = p.lng;
      });
    });
    marker.addTo(drawn);
  });
  renderList();
  countOut.textContent = fmt(text.points, { n: state.route.length });
  undoButton.disabled = history.length === 0;
}

function button(label_, symbol, onClick, disabled = false) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary small';
  b.textContent = symbol;
  b.setAttribute('aria-label', label_);
  b.title = label_;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

function renderList() {
  const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  list.replaceChildren();
  if (!state.stops.length) {
    const li = document.createElement('li');
    li.className = 'hint empty-stops';
    li.textContent = text.no_stops;
    list.append(li);
    return;
  }
  state.stops.forEach((stop, index) => {
    const n = index + 1;
    const li = document.createElement('li');
    const number = document.createElement('span');
    number.className = 'stop-no';
    number.textContent = `${n}.`;
    number.setAttribute('aria-hidden', 'true');
    const input = document.createElement('input');
    input.type = 'text';
    input.value = stop.name;
    input.maxLength = 200;
    input.required = true;
    input.setAttribute('aria-label', fmt(text.rename, { n }));
    input.dataset.key = `name-${index}`;
    input.addEventListener('change', () => {
      const name = input.value.trim();
      if (!name) {
        input.value = stop.name;
        return;
      }
      change(() => {
        state.stops[index].name = name;
      });
    });
    const up = button(fmt(text.up, { n }), '↑', () => change(() => {
      [state.stops[index - 1], state.stops[index]] = [state.stops[index], state.stops[index - 1]];
    }), index === 0);
    up.dataset.key = `up-${index - 1}`;
    const down = button(fmt(text.down, { n }), '↓', () => change(() => {
      [state.stops[index + 1], state.stops[index]] = [state.stops[index], state.stops[index + 1]];
    }), index === state.stops.length - 1);
    down.dataset.key = `down-${index + 1}`;
    const remove = button(fmt(text.remove, { n }), '✕', () => change(() => {
      state.stops.splice(index, 1);
    }));
    remove.dataset.key = `remove-${index}`;
    li.append(number, input, up, down, remove);
    list.append(li);
  });
  if (focused) {
    const again = list.querySelector(`[data-key="${focused}"]`);
    if (again && !again.disabled) again.focus();
  }
}

map.on('click', (event) => {
  const { lat, lng } = event.latlng;
  if (mode === 'route') {
    change(() => state.route.push([lat, lng]));
  } else {
    change(() => state.stops.push({ name: fmt(text.new_stop, { n: state.stops.length + 1 }), lat, lng }));
  }
});

for (const b of root.querySelectorAll('button[data-mode]')) {
  b.addEventListener('click', () => {
    mode = b.dataset.mode;
    for (const other of root.querySelectorAll('button[data-mode]')) {
      other.setAttribute('aria-pressed', String(other === b));
    }
    map.getContainer().dataset.mode = mode;
    render();
  });
}
map.getContainer().dataset.mode = mode;
undoButton.addEventListener('click', () => {
  if (!history.length) return;
  state = history.pop();
  writeBack();
  render();
});
root.querySelector('[data-action="clear"]').addEventListener('click', () => change(() => {
  state.route = [];
}));

for (const field of [routeField, stopsField]) {
  field.addEventListener('change', () => {
    try {
      const route = parseRoute(routeField.value);
      const stops = parseStops(stopsField.value);
      history.push(snapshot());
      state = { route, stops };
      textError.hidden = true;
      render();
      fit();
    } catch (_error) {
      textError.hidden = false;
      textError.textContent = text.text_error;
    }
  });
}

// The time slot follows the start time while "from the start time" is chosen.
const slot = form.elements.time_slot;
const start = form.elements.starts_at;
const autoOption = slot.querySelector('option[value=""]');
const autoText = autoOption ? autoOption.textContent : '';
function slotFor(value) {
  if (!value) return null;
  if (value >= config.slots.night || value < config.slots.night_until) return 'night';
  if (value >= config.slots.evening) return 'evening';
  return 'day';
}
function showSlot() {
  const derived = slotFor(start.value);
  const option = derived ? slot.querySelector(`option[value="${derived}"]`) : null;
  if (autoOption) autoOption.textContent = option ? `${autoText} : ${option.textContent}` : autoText;
}
start.addEventListener('input', showSlot);
showSlot();

function fit() {
  const bounds = drawn.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 17 });
  else if (zones.getBounds().isValid()) map.fitBounds(zones.getBounds(), { maxZoom: 16 });
  else map.setView([46.6, 2.4], 5);
}

// A view first: Leaflet.draw gives a line its vertex handles only once the line is on a map that has
// one (a walk being edited has its route drawn at once).
map.setView([46.6, 2.4], 5);
render();
fit();
