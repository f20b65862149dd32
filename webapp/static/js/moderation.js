// Moderation beside the walk's map: a card's « Voir sur la carte » puts a draggable pin on its point;
// dropping the pin moves the observation (the card's move form is sent: zone re-assigned, journal kept).
// Checkboxes feed the bulk form. Without this script every card's forms still work.
const root = document.getElementById('moderation');
if (root) {
  // A bulk action refused comes back with its ticks: at the queue's own address, so a reload shows it.
  if (root.dataset.pageUrl) history.replaceState(null, '', root.dataset.pageUrl);
  const mapElement = root.querySelector('.folium-map');
  const map = mapElement ? window[mapElement.id] : null;
  let pin = null;

  function showPoint(card) {
    if (!map) return;
    const latlng = L.latLng(Number(card.dataset.lat), Number(card.dataset.lon));
    root.querySelectorAll('.card.obs.current').forEach((c) => c.classList.remove('current'));
    card.classList.add('current');
    if (pin) pin.remove();
    pin = L.marker(latlng, { draggable: true, autoPan: true, keyboard: true, title: card.querySelector('strong').textContent,
      alt: card.querySelector('strong').textContent });
    pin.addTo(map);
    map.setView(latlng, Math.max(map.getZoom(), 17), { animate: false });
    root.dataset.shown = card.dataset.observation;
    pin.on('dragend', () => {
      const to = pin.getLatLng();
      const form = card.querySelector('form.move-form');
      form.querySelector('input[name=lon]').value = to.lng.toFixed(7);
      form.querySelector('input[name=lat]').value = to.lat.toFixed(7);
      form.submit();
    });
  }

  root.addEventListener('click', (event) => {
    const button = event.target.closest('button.show-point');
    if (!button) return;
    showPoint(button.closest('.card.obs'));
  });

  const count = document.getElementById('bulk-count');
  const all = document.getElementById('select-all');
  const boxes = () => Array.from(root.querySelectorAll('input[name="observation_ids"]'));
  function update() { if (count) count.textContent = String(boxes().filter((b) => b.checked).length); }
  root.addEventListener('change', (event) => {
    if (event.target === all) boxes().forEach((b) => { b.checked = all.checked; });
    update();
  });
  update();

  const target = location.hash && root.querySelector(location.hash + '.card.obs');
  if (target) showPoint(target);
}
