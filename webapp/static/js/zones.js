// The zones page, made easier with JavaScript (everything also works without it):
// - file forms ([data-upload]) send with XMLHttpRequest to show upload progress, then a clear
//   "processing" state; size and kind are checked before sending; problems are listed in place;
// - a zone drawn on the map (event "arpenteur:zone-drawn" from geodata/maps.py) fills the form;
// - clicking a QPV on the map ticks or unticks its box;
// - forms with data-confirm ask before they are sent.

const script = document.querySelector('script[data-texts]');
const TEXTS = script ? JSON.parse(script.dataset.texts) : {};

function say(key, values = {}) {
  return (TEXTS[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

function mapObject() {
  const element = document.querySelector('.zones-map .folium-map');
  return element ? window[element.id] : null;
}

// --- uploads with progress ---------------------------------------------------------------------

function showProblems(form, message, problems) {
  let box = form.querySelector('.upload-problems');
  if (!box) {
    box = document.createElement('div');
    box.className = 'flash error upload-problems';
    box.setAttribute('role', 'alert');
    box.tabIndex = -1;
    form.insertBefore(box, form.querySelector('button[type=submit]'));
  }
  box.replaceChildren();
  const head = document.createElement('p');
  head.textContent = message;
  box.append(head);
  if (problems && problems.length) {
    const list = document.createElement('ul');
    for (const problem of problems) {
      const item = document.createElement('li');
      item.textContent = problem;
      list.append(item);
    }
    box.append(list);
  }
  box.focus();
}

function setupUpload(form) {
  const input = form.querySelector('input[type=file]');
  const status = form.querySelector('.upload-status');
  const bar = status.querySelector('progress');
  const text = status.querySelector('.upload-text');
  const button = form.querySelector('button[type=submit]');
  const maxBytes = Number(form.dataset.maxBytes || 0);
  const suffixes = (form.dataset.suffixes || '').split(' ').filter(Boolean);

  form.addEventListener('submit', (event) => {
    const file = input.files && input.files[0];
    if (!file) return; // the browser's "required" says it
    event.preventDefault();
    const name = file.name.toLowerCase();
    if (suffixes.length && !suffixes.some((suffix) => name.endsWith(suffix))) {
      showProblems(form, say('wrong_kind', { kinds: suffixes.join(', ') }));
      return;
    }
    if (maxBytes && file.size > maxBytes) {
      const size = (file.size / 1048576).toFixed(1);
      showProblems(form, say('too_big', { size, limit: Math.floor(maxBytes / 1048576) }));
      return;
    }
    const request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.setRequestHeader('Accept', 'application/json');
    status.hidden = false;
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    bar.value = 0;
    text.textContent = say('sending', { p: 0 });
    request.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((100 * e.loaded) / e.total);
      bar.value = percent;
      text.textContent = say('sending', { p: percent });
    });
    request.upload.addEventListener('load', () => {
      // Sent: the server now reads and checks every feature.
      bar.removeAttribute('value');
      text.textContent = say('processing');
    });
    const done = () => {
      button.disabled = false;
      form.removeAttribute('aria-busy');
      status.hidden = true;
    };
    request.addEventListener('load', () => {
      let body;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (body && body.ok && body.redirect) {
        text.textContent = body.message;
        const target = new URL(body.redirect, window.location.href);
        if (target.pathname === window.location.pathname && target.search === window.location.search) {
          window.location.hash = target.hash;
          window.location.reload(); // same page: show the report flashed by the server
        } else {
          window.location.assign(target.href);
        }
        return;
      }
      done();
      showProblems(form, body ? body.message : say('failed'), body ? body.problems : []);
    });
    request.addEventListener('error', () => {
      done();
      showProblems(form, say('failed'));
    });
    request.send(new FormData(form));
  });
}

// --- a zone drawn on the map --------------------------------------------------------------------

function setupDrawing() {
  const form = document.getElementById('zone-drawing');
  const container = document.querySelector('.zones-map');
  if (!form || !container) return;
  const area = form.querySelector('textarea[name=geojson]');
  const status = document.getElementById('drawn-status');
  const name = form.querySelector('input[name=name]');
  container.addEventListener('arpenteur:zone-drawn', (event) => {
    const geojson = event.detail.geojson;
    area.value = JSON.stringify(geojson);
    const ring = (geojson.geometry.coordinates || [[]])[0] || [];
    status.textContent = say('drawn', { n: Math.max(ring.length - 1, 0) });
    name.focus();
  });
}

// --- QPV ticked from the map --------------------------------------------------------------------

const KEPT = { color: '#0D47A1', dashArray: null, fillColor: '#1E88E5', fillOpacity: 0.18 };
const LEFT_OUT = { color: '#616161', dashArray: '4 6', fillColor: '#9E9E9E', fillOpacity: 0.04 };

function setupQpvClicks() {
  const map = mapObject();
  if (!map) return;
  const boxes = new Map();
  for (const box of document.querySelectorAll('input[data-qpv]')) boxes.set(box.dataset.qpv, box);
  const status = document.getElementById('qpv-status');
  map.eachLayer((group) => {
    if (!(group instanceof L.GeoJSON)) return;
    group.eachLayer((layer) => {
      const code = layer.feature && layer.feature.properties.code;
      const box = code && boxes.get(code);
      if (!box) return;
      layer.on('click', () => {
        box.checked = !box.checked;
        box.dispatchEvent(new Event('change', { bubbles: true }));
      });
      box.addEventListener('change', () => {
        layer.setStyle(box.checked ? KEPT : LEFT_OUT);
        const label = box.closest('label').querySelector('strong').textContent;
        if (status) status.textContent = say(box.checked ? 'qpv_on' : 'qpv_off', { name: label });
      });
    });
  });
}

// --- confirmations ------------------------------------------------------------------------------

for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
for (const form of document.querySelectorAll('form[data-upload]')) setupUpload(form);
setupDrawing();
setupQpvClicks();
const problems = document.getElementById('problemes');
if (problems) problems.focus();
