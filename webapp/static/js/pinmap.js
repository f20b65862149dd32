// The small map of the capture page: the walk's route and stops, and a pin the person can drop or move.
// Leaflet is served by the app (window.L, loaded before this module). Without tiles (offline, or
// TILES=none) the map still shows the route, the stops and the pin on a plain background.

export function createPinMap(element, { walk, tiles, text, onPin }) {
  const L = window.L;
  element.hidden = false;
  const map = L.map(element, { zoomControl: true, attributionControl: Boolean(tiles), tap: true });
  if (tiles) {
    L.tileLayer(tiles.url, { maxZoom: 19, attribution: tiles.attribution, crossOrigin: false }).addTo(map);
  }
  const layers = [];
  if (walk.route) {
    layers.push(L.geoJSON(walk.route, { style: { color: '#0b5cad', weight: 5, opacity: 0.65 }, interactive: false }));
  }
  for (const stop of walk.stops) {
    const [lon, lat] = stop.location.coordinates;
    layers.push(
      L.circleMarker([lat, lon], { radius: 7, color: '#0b5cad', weight: 2, fillColor: '#ffffff', fillOpacity: 1 })
        .bindTooltip(`${text.stop} ${stop.position} · ${stop.name}`),
    );
  }
  const walkLayer = L.featureGroup(layers).addTo(map);
  if (layers.length) map.fitBounds(walkLayer.getBounds().pad(0.25), { maxZoom: 17 });
  else map.setView([46.6, 2.4], 5);

  let marker = null;
  let circle = null;
  let current = null;

  function place(lat, lon, source, accuracy, { pan = true } = {}) {
    current = { lat, lon, source, accuracy: accuracy ?? null };
    const latlng = [lat, lon];
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, keyboard: true, title: text.you_are_here, autoPan: true }).addTo(map);
      marker.on('dragend', () => {
        const p = marker.getLatLng();
        place(p.lat, p.lng, 'pin', null, { pan: false });
        onPin(current);
      });
    } else {
      marker.setLatLng(latlng);
    }
    if (circle) { circle.remove(); circle = null; }
    if (accuracy) {
      circle = L.circle(latlng, { radius: accuracy, color: '#0b5cad', weight: 1, fillOpacity: 0.08, interactive: false }).addTo(map);
    }
    if (pan) map.setView(latlng, Math.max(map.getZoom() || 16, 16));
  }

  map.on('click', (event) => {
    place(event.latlng.lat, event.latlng.lng, 'pin', null, { pan: false });
    onPin(current);
  });

  return {
    place,
    get position() { return current; },
    clear() {
      current = null;
      if (marker) { marker.remove(); marker = null; }
      if (circle) { circle.remove(); circle = null; }
    },
    invalidate() { map.invalidateSize(); },
  };
}
