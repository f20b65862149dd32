// The national map (administrators): asks the server for the cells of the viewport at the current
// zoom (GET api/v1/national-map?bbox=…&zoom=…) and draws them as discs sized by their count; from the
// points zoom on, the ordinary observations come one by one and sensitive reports as 200 m squares.
// Data first: the map is drawn with or without tiles (a tile server that fails hides nothing).


const element = document.getElementById('national-map');
const status = document.getElementById('national-status');
const filters = document.getElementById('national-filters');
const TEXTS = JSON.parse(document.getElementById('national-texts').textContent);
const LIMITS = JSON.parse(element.dataset.limits);
//: metropolitan France, the first view
const FRANCE = [[41.3, -5.2], [51.1, 9.6]];
const POINT_COLOURS = ['#e07a10', '#2a8c4a', '#9b3fb5', '#c0392b', '#1a7f99', '#8a6d1d', '#444'];

function say(key, values = {}) {
  return (TEXTS[key] || key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ''));
}

const number = new Intl.NumberFormat(document.documentElement.lang || 'fr');

const map = L.map(element, {
  minZoom: LIMITS.minZoom,
  maxZoom: LIMITS.maxZoom,
  preferCanvas: true,
  zoomSnap: 1,
  worldCopyJump: false,
});
map.fitBounds(FRANCE);
if (element.dataset.tiles) {
  L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: LIMITS.maxZoom }).addTo(map);
}
L.control.scale({ imperial: false }).addTo(map);
const layer = L.layerGroup().addTo(map);

let controller = null;
let lastQuery = '';

function query() {
  const b = map.getBounds();
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const box = [
    clamp(b.getWest(), -180, 179.99999),
    clamp(b.getSouth(), -85, 84.99999),
    clamp(b.getEast(), -179.99999, 180),
    clamp(b.getNorth(), -84.99999, 85),
  ];
  const params = new URLSearchParams({ bbox: box.map((v) => v.toFixed(5)).join(','), zoom: String(map.getZoom()) });
  for (const name of ['project', 'theme']) {
    const value = filters.elements[name].value;
    if (value) params.set(name, value);
  }
  return params.toString();
}

function radius(count) {
  return Math.round(9 + 4.5 * Math.log10(Math.max(count, 3)));
}

function cellIcon(count) {
  if (count === null) {
    return L.divIcon({ className: 'national-cell masked', iconSize: [14, 14], html: '' });
  }
  const r = radius(count);
  const text = count >= 10000 ? `${Math.round(count / 1000)}k` : String(count);
  return L.divIcon({ className: 'national-cell', iconSize: [2 * r, 2 * r], html: `<span>${text}</span>` });
}

function kilometres(data) {
  const lat = map.getCenter().lat;
  const km = data.cell * 111.32 * Math.cos((lat * Math.PI) / 180);
  return km >= 10 ? `${Math.round(km)} km` : `${km.toFixed(1).replace('.', ',')} km`;
}

function draw(data) {
  layer.clearLayers();
  let total = 0;
  if (data.kind === 'cells') {
    for (const [lon, lat, count] of data.cells) {
      total += count || 0;
      L.marker([lat, lon], {
        icon: cellIcon(count),
        interactive: false,
        keyboard: false,
        title: count === null ? TEXTS.cellMasked : say('cell', { n: number.format(count) }),
      }).addTo(layer);
    }
    status.textContent = data.cells.length
      ? say('cells', { n: number.format(total), size: kilometres(data) })
      : TEXTS.empty;
  } else {
    const colours = new Map();
    for (const [lon, lat, theme] of data.points) {
      if (!colours.has(theme)) colours.set(theme, POINT_COLOURS[colours.size % POINT_COLOURS.length]);
      L.circleMarker([lat, lon], { radius: 6, color: '#333', weight: 1, fillColor: colours.get(theme), fillOpacity: 0.9 })
        .bindPopup(() => `${TEXTS.observation} · ${(TEXTS.themes || {})[theme] || theme}`)
        .addTo(layer);
    }
    for (const [lon, lat, count] of data.sensitive) {
      L.marker([lat, lon], {
        icon: L.divIcon({ className: 'national-square', iconSize: [26, 26], html: `<span>${count}</span>` }),
        interactive: false,
        keyboard: false,
        title: say('sensitive', { n: count }),
      }).addTo(layer);
    }
    total = data.points.length;
    status.textContent = total || data.sensitive.length ? say('points', { n: number.format(total) }) : TEXTS.empty;
  }
  element.dataset.kind = data.kind;
  element.dataset.zoom = String(data.zoom);
  element.dataset.drawn = String(layer.getLayers().length);
}

async function load() {
  const params = query();
  if (params === lastQuery) return;
  lastQuery = params;
  if (controller) controller.abort();
  controller = new AbortController();
  element.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(`${element.dataset.api}?${params}`, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(String(response.status));
    draw(await response.json());
  } catch (error) {
    if (error.name === 'AbortError') return;
    lastQuery = '';
    status.textContent = TEXTS.failed;
  } finally {
    element.removeAttribute('aria-busy');
  }
}

map.on('moveend', load);
filters.addEventListener('change', () => {
  lastQuery = '';
  load();
});
filters.addEventListener('submit', (event) => {
  event.preventDefault();
  lastQuery = '';
  load();
});
load();
