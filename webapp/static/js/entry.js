// Facilitator entry form: the map where a click (or a drag) places the observation's pin, kept in step
// with the stop list and the longitude/latitude fields; sub-themes narrowed to the chosen theme.
// Without this module the form still works: stop list, or coordinates typed in.
import { createPinMap } from './pinmap.js';

const config = JSON.parse(document.getElementById('entry-config').textContent);
const form = document.getElementById('saisie');
const lonInput = document.getElementById('f-lon');
const latInput = document.getElementById('f-lat');
const stopSelect = document.getElementById('f-stop');
const status = document.getElementById('pin-status');
const mapElement = document.getElementById('entry-map');

function setWhere(value) {
  const radio = form.querySelector(`input[name="where"][value="${value}"]`);
  if (radio) radio.checked = true;
}

function number(input) {
  const value = Number.parseFloat(input.value.replace(',', '.'));
  return Number.isFinite(value) ? value : null;
}

function announce(position) {
  status.textContent = config.text.pin_placed
    .replace('{lon}', position.lon.toFixed(6))
    .replace('{lat}', position.lat.toFixed(6));
}

let pinMap = null;
if (mapElement) {
  pinMap = createPinMap(mapElement, {
    walk: config.walk,
    tiles: config.tiles,
    text: config.text,
    onPin(position) {
      lonInput.value = position.lon.toFixed(6);
      latInput.value = position.lat.toFixed(6);
      setWhere('pin');
      announce(position);
    },
  });
  const lon = number(lonInput);
  const lat = number(latInput);
  if (lon !== null && lat !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    pinMap.place(lat, lon, 'pin', null, { pan: false });
  }
}

function fromFields() {
  const lon = number(lonInput);
  const lat = number(latInput);
  if (lon === null || lat === null) return;
  setWhere('pin');
  if (pinMap && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) pinMap.place(lat, lon, 'pin', null);
}
lonInput.addEventListener('change', fromFields);
latInput.addEventListener('change', fromFields);

stopSelect.addEventListener('change', () => {
  if (!stopSelect.value) return;
  setWhere('stop');
  lonInput.value = '';
  latInput.value = '';
  if (pinMap) pinMap.clear();
  status.textContent = '';
});

// Sub-themes: only those of the chosen theme (the server refuses another theme's anyway).
const subSelect = document.getElementById('f-subtheme');
function narrowSubthemes() {
  const chosen = form.querySelector('input[name="theme"]:checked');
  const theme = chosen ? chosen.value : null;
  for (const group of subSelect.querySelectorAll('optgroup')) {
    const mine = group.dataset.theme === theme;
    group.hidden = !mine;
    group.disabled = !mine;
  }
  const selected = subSelect.selectedOptions[0];
  if (selected && selected.parentElement.tagName === 'OPTGROUP' && selected.parentElement.disabled) {
    subSelect.value = '';
  }
}
for (const radio of form.querySelectorAll('input[name="theme"]')) radio.addEventListener('change', narrowSubthemes);
narrowSubthemes();

// Keyboard flow: after an error, start from the list of problems; after a save, from the themes.
const problems = document.getElementById('erreurs');
if (problems) {
  problems.tabIndex = -1;
  problems.focus();
} else if (document.querySelector('.flash.ok')) {
  // Just saved: the next sheet starts with its theme (the stop and profile are kept).
  const first = form.querySelector('input[name="theme"]');
  if (first) first.focus();
}
if (pinMap) window.addEventListener('load', () => pinMap.invalidate());
