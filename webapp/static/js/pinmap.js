// The small map of the capture page, drawn without a map library (one would weigh more than the rest of
// the page together): the walk's route, its stops numbered as in the « Arrêt le plus proche » list, raster
// tiles when the site has some, and a pin the person drops with a tap or drags. Web Mercator, whole zoom
// levels, 256-pixel tiles. Without tiles (offline, or TILES=none) the route, stops and pin show on a
// plain background. Keyboard: arrows move the map, + and − zoom, Enter drops the pin at the centre.

const TILE = 256;
const MIN_ZOOM = 3;
const MAX_ZOOM = 19;
const FIT_MAX_ZOOM = 17;
const SVG = 'http://www.w3.org/2000/svg';
const TAP_SLOP_PX = 8;

function toWorld(lon, lat, z) {
  const size = TILE * 2 ** z;
  const s = Math.sin((Math.max(Math.min(lat, 85.0511), -85.0511) * Math.PI) / 180);
  return { x: ((lon + 180) / 360) * size, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * size };
}

function toLonLat(x, y, z) {
  const size = TILE * 2 ** z;
  const n = Math.PI - (2 * Math.PI * y) / size;
  return { lon: (x / size) * 360 - 180, lat: (180 / Math.PI) * Math.atan(Math.sinh(n)) };
}

const metresPerPixel = (lat, z) => (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (TILE * 2 ** z);
const clampZoom = (z) => Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z));

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

function lines(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'LineString') return [geometry.coordinates];
  if (geometry.type === 'MultiLineString') return geometry.coordinates;
  return [];
}

export function createPinMap(element, { walk, tiles, text, onPin }) {
  element.hidden = false;
  element.classList.add('pm');
  element.tabIndex = 0;
  element.setAttribute('role', 'application');
  element.setAttribute('aria-label', text.map_label);

  const tileLayer = document.createElement('div');
  tileLayer.className = 'pm-tiles';
  const overlay = svg('svg', { class: 'pm-overlay', 'aria-hidden': 'true' });
  const route = svg('path', { class: 'pm-route' });
  const accuracy = svg('circle', { class: 'pm-accuracy' });
  const stopsLayer = svg('g');
  const pin = svg('g', { class: 'pm-pin' });
  pin.append(
    svg('path', { d: 'M0 0C-4-11-13-15-13-25a13 13 0 1 1 26 0c0 10-9 14-13 25z' }),
    svg('circle', { cx: 0, cy: -25, r: 5, fill: '#fff' }),
  );
  overlay.append(route, accuracy, stopsLayer, pin);
  const zoom = document.createElement('div');
  zoom.className = 'pm-zoom';
  const zoomIn = document.createElement('button');
  const zoomOut = document.createElement('button');
  for (const [button, label, sign] of [[zoomIn, text.zoom_in, '+'], [zoomOut, text.zoom_out, '−']]) {
    button.type = 'button';
    button.textContent = sign;
    button.setAttribute('aria-label', label);
  }
  zoom.append(zoomIn, zoomOut);
  element.append(tileLayer, overlay, zoom);
  if (tiles && tiles.attribution) {
    const credit = document.createElement('span');
    credit.className = 'pm-credit';
    credit.textContent = tiles.attribution;
    element.append(credit);
  }

  const stops = walk.stops.map((stop) => ({ position: stop.position, lon: stop.location.coordinates[0], lat: stop.location.coordinates[1] }));
  for (const stop of stops) {
    const g = svg('g', { class: 'pm-stop' });
    const label = svg('text', { 'text-anchor': 'middle', dy: '0.35em' });
    label.textContent = String(stop.position);
    g.append(svg('circle', { r: 11 }), label);
    stopsLayer.append(g);
    stop.node = g;
  }
  const routeLines = lines(walk.route);

  let z = 5;
  let center = toWorld(2.4, 46.6, z);
  let current = null;
  const tileNodes = new Map();

  const size = () => ({ w: element.clientWidth, h: element.clientHeight });
  const screen = (lon, lat) => {
    const { w, h } = size();
    const p = toWorld(lon, lat, z);
    return { x: p.x - center.x + w / 2, y: p.y - center.y + h / 2 };
  };
  const lonLatAt = (x, y) => {
    const { w, h } = size();
    return toLonLat(center.x - w / 2 + x, center.y - h / 2 + y, z);
  };

  function drawTiles(w, h) {
    if (!tiles) return;
    const n = 2 ** z;
    const left = center.x - w / 2;
    const top = center.y - h / 2;
    const wanted = new Set();
    for (let ty = Math.floor(top / TILE); ty <= Math.floor((top + h) / TILE); ty += 1) {
      if (ty < 0 || ty >= n) continue;
      for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + w) / TILE); tx += 1) {
        const wx = ((tx % n) + n) % n;
        const key = `${z}/${tx}/${ty}`;
        wanted.add(key);
        let img = tileNodes.get(key);
        if (!img) {
          img = document.createElement('img');
          img.alt = '';
          img.draggable = false;
          img.decoding = 'async';
          img.src = tiles.url.replace('{z}', z).replace('{x}', wx).replace('{y}', ty);
          img.addEventListener('error', () => { img.style.visibility = 'hidden'; });
          tileNodes.set(key, img);
          tileLayer.append(img);
        }
        img.style.left = `${Math.round(tx * TILE - left)}px`;
        img.style.top = `${Math.round(ty * TILE - top)}px`;
      }
    }
    for (const [key, img] of tileNodes) if (!wanted.has(key)) { img.remove(); tileNodes.delete(key); }
  }

  function render() {
    const { w, h } = size();
    if (!w || !h) return;
    overlay.setAttribute('viewBox', `0 0 ${w} ${h}`);
    overlay.setAttribute('width', w);
    overlay.setAttribute('height', h);
    drawTiles(w, h);
    route.setAttribute('d', routeLines.map((line) => line.map(([lon, lat], i) => {
      const p = screen(lon, lat);
      return `${i ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`;
    }).join('')).join(''));
    for (const stop of stops) {
      const p = screen(stop.lon, stop.lat);
      stop.node.setAttribute('transform', `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`);
    }
    pin.style.display = current ? '' : 'none';
    accuracy.style.display = current && current.accuracy ? '' : 'none';
    if (current) {
      const p = screen(current.lon, current.lat);
      pin.setAttribute('transform', `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`);
      if (current.accuracy) {
        accuracy.setAttribute('cx', p.x.toFixed(1));
        accuracy.setAttribute('cy', p.y.toFixed(1));
        accuracy.setAttribute('r', (current.accuracy / metresPerPixel(current.lat, z)).toFixed(1));
      }
    }
  }

  function fit() {
    const points = [...stops.map((s) => [s.lon, s.lat]), ...routeLines.flat()];
    if (!points.length) return;
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    const { w, h } = size();
    const [west, east, south, north] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
    let fitted = FIT_MAX_ZOOM;
    while (fitted > MIN_ZOOM) {
      const a = toWorld(west, north, fitted);
      const b = toWorld(east, south, fitted);
      if ((b.x - a.x) * 1.5 <= (w || 300) && (b.y - a.y) * 1.5 <= (h || 200)) break;
      fitted -= 1;
    }
    z = fitted;
    const a = toWorld(west, north, z);
    const b = toWorld(east, south, z);
    center = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }

  function zoomTo(newZ, x, y) {
    const { w, h } = size();
    const px = x ?? w / 2;
    const py = y ?? h / 2;
    const anchor = lonLatAt(px, py);
    z = clampZoom(newZ);
    const p = toWorld(anchor.lon, anchor.lat, z);
    center = { x: p.x - px + w / 2, y: p.y - py + h / 2 };
    render();
  }

  function place(lat, lon, source, acc, { pan = true } = {}) {
    current = { lat, lon, source, accuracy: acc ?? null };
    if (pan) {
      z = Math.max(z, 16);
      center = toWorld(lon, lat, z);
    }
    render();
  }

  function dropAt(x, y) {
    const { lon, lat } = lonLatAt(x, y);
    place(lat, lon, 'pin', null, { pan: false });
    onPin(current);
  }

  // --- touch, mouse, wheel, keyboard ---
  const pointers = new Map();
  let gesture = null;
  const local = (event) => {
    const box = element.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const onPinHead = ({ x, y }) => {
    if (!current) return false;
    const p = screen(current.lon, current.lat);
    return Math.abs(x - p.x) <= 20 && y <= p.y + 6 && y >= p.y - 44;
  };

  element.addEventListener('pointerdown', (event) => {
    if (event.target.closest('button')) return;
    element.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, local(event));
    if (pointers.size === 1) {
      const at = local(event);
      gesture = { start: at, from: { ...center }, moved: false, pin: onPinHead(at), pinch: null };
    } else if (pointers.size === 2 && gesture) {
      const [a, b] = [...pointers.values()];
      gesture.pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y) || 1 };
      gesture.moved = true;
    }
  });
  element.addEventListener('pointermove', (event) => {
    if (!pointers.has(event.pointerId) || !gesture) return;
    const at = local(event);
    pointers.set(event.pointerId, at);
    if (gesture.pinch && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const ratio = Math.hypot(a.x - b.x, a.y - b.y) / gesture.pinch.distance;
      if (ratio > 1.6 || ratio < 0.6) {
        zoomTo(z + (ratio > 1 ? 1 : -1), (a.x + b.x) / 2, (a.y + b.y) / 2);
        gesture.pinch.distance = Math.hypot(a.x - b.x, a.y - b.y) || 1;
      }
      return;
    }
    const dx = at.x - gesture.start.x;
    const dy = at.y - gesture.start.y;
    if (!gesture.moved && Math.hypot(dx, dy) < TAP_SLOP_PX) return;
    gesture.moved = true;
    if (gesture.pin) {
      const { lon, lat } = lonLatAt(at.x, at.y);
      current = { lat, lon, source: 'pin', accuracy: null };
    } else {
      center = { x: gesture.from.x - dx, y: gesture.from.y - dy };
    }
    render();
  });
  const release = (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.delete(event.pointerId);
    if (!gesture || pointers.size) return;
    if (!gesture.moved && event.type === 'pointerup') dropAt(gesture.start.x, gesture.start.y);
    else if (gesture.pin && gesture.moved) onPin(current);
    gesture = null;
  };
  element.addEventListener('pointerup', release);
  element.addEventListener('pointercancel', release);
  element.addEventListener('wheel', (event) => {
    event.preventDefault();
    const at = local(event);
    zoomTo(z + (event.deltaY < 0 ? 1 : -1), at.x, at.y);
  }, { passive: false });
  element.addEventListener('keydown', (event) => {
    const step = 64;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      center = { x: center.x + moves[event.key][0], y: center.y + moves[event.key][1] };
      render();
    } else if (event.key === '+' || event.key === '=') {
      zoomTo(z + 1);
    } else if (event.key === '-') {
      zoomTo(z - 1);
    } else if ((event.key === 'Enter' || event.key === ' ') && event.target === element) {
      const { w, h } = size();
      dropAt(w / 2, h / 2);
    } else {
      return;
    }
    event.preventDefault();
  });
  zoomIn.addEventListener('click', () => zoomTo(z + 1));
  zoomOut.addEventListener('click', () => zoomTo(z - 1));

  fit();
  render();
  if (typeof ResizeObserver !== 'undefined') {
    let fitted = size().w > 0;
    new ResizeObserver(() => {
      if (!fitted && size().w > 0) { fitted = true; if (!current) fit(); }
      render();
    }).observe(element);
  }

  return {
    place,
    get position() { return current; },
    clear() { current = null; render(); },
    invalidate: render,
  };
}
