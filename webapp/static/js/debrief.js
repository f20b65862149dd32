// Debrief mode: one stop at a time on the projector, its map beside it, keyboard navigation, live dot-votes.
// Without this script the page still works: every section is shown and every form posts.
const root = document.getElementById('debrief');
if (root) {
  const steps = Array.from(root.querySelectorAll('section.step'));
  // A recommendation refused comes back on its own section (``data-open``), typed words and all.
  const wanted = location.hash || (root.dataset.open ? '#' + root.dataset.open : '');
  // …at the debrief's own address (not the form's), so that reloading shows the debrief again.
  if (root.dataset.pageUrl) history.replaceState(null, '', root.dataset.pageUrl);
  let current = Math.max(0, steps.findIndex((s) => '#' + s.id === wanted));
  root.classList.add('js');
  const mapElement = root.querySelector('.folium-map');
  const map = mapElement ? window[mapElement.id] : null;
  const nav = root.querySelector('.steps-nav');
  const stage = root.querySelector('.debrief-stage');
  root.style.setProperty('--nav-h', nav.offsetHeight + 'px');
  if (map) map.invalidateSize();
  // The map's first view: the whole walk, fitted clear of the legend. (Fitting the bounds of that view
  // again, with a margin, would zoom out a level each time.)
  const home = map ? { center: map.getCenter(), zoom: map.getZoom() } : null;

  // The map follows the stop: its point and its observations, or the whole walk for the other sections.
  function follow(step) {
    if (!map) return;
    const raw = step.dataset.bounds;
    if (raw) {
      map.fitBounds(L.latLngBounds(JSON.parse(raw)).pad(0.15), { padding: [40, 40], maxZoom: 18, animate: false });
    } else {
      map.setView(home.center, home.zoom, { animate: false });
    }
    root.dataset.mapStep = step.id;
  }

  function show(index) {
    current = Math.min(Math.max(index, 0), steps.length - 1);
    steps.forEach((s, i) => { s.hidden = i !== current; });
    const step = steps[current];
    history.replaceState(null, '', '#' + step.id);
    step.focus({ preventScroll: true });
    // The stage just below the sticky stop navigation: the map fills the rest of the screen.
    window.scrollTo({ top: Math.max(0, stage.getBoundingClientRect().top + window.scrollY - nav.offsetHeight - 8) });
    follow(step);
    root.querySelectorAll('.steps-nav a').forEach((a) => {
      a.toggleAttribute('aria-current', a.getAttribute('href') === '#' + step.id);
    });
  }

  root.querySelectorAll('.steps-nav a').forEach((a) => {
    a.addEventListener('click', (event) => {
      event.preventDefault();
      show(steps.findIndex((s) => '#' + s.id === a.getAttribute('href')));
    });
  });

  // A dot that did not count says so beside its buttons (no network, or the session ended: the
  // answer is then an error or the sign-in page); the next dot that counts takes the message away.
  async function vote(form, remove) {
    const data = new FormData(form);
    if (remove) data.set('remove', '1'); else data.delete('remove');
    let body = null;
    try {
      const response = await fetch(form.action, {
        method: 'POST', body: data, headers: { 'Accept': 'application/json', 'X-Requested-With': 'fetch' },
      });
      if (response.ok && (response.headers.get('Content-Type') || '').includes('json')) body = await response.json();
    } catch (_error) {
      body = null;
    }
    let message = form.querySelector('.vote-error');
    if (!body || typeof body.votes !== 'number') {
      if (!message) {
        message = document.createElement('span');
        message.className = 'vote-error';
        message.setAttribute('role', 'alert');
        form.append(message);
      }
      message.textContent = root.dataset.voteFailed;
      form.classList.add('failed');
      return;
    }
    if (message) message.remove();
    form.classList.remove('failed');
    form.querySelector('output.votes').value = String(body.votes);
    form.querySelector('output.votes').textContent = String(body.votes);
  }

  root.addEventListener('click', (event) => {
    const button = event.target.closest('form.vote-form button');
    if (!button) return;
    event.preventDefault();
    vote(button.form, button.classList.contains('unvote'));
  });

  const count = document.getElementById('selected-count');
  function updateCount() {
    count.textContent = String(root.querySelectorAll('input[name="observation_ids"]:checked').length);
  }
  root.addEventListener('change', updateCount);

  // An address naming another step (typed in the address bar, or a link to #step-3) shows that step.
  window.addEventListener('hashchange', () => {
    const index = steps.findIndex((s) => '#' + s.id === location.hash);
    if (index >= 0 && index !== current) show(index);
  });

  document.addEventListener('keydown', (event) => {
    // Keys belong to text fields and lists; checkboxes and buttons leave them to the navigation.
    const typing = event.target.closest('textarea, select, input:not([type=checkbox]):not([type=radio])');
    if (typing) return;
    const card = event.target.closest('.obs-card');
    if (event.key === 'ArrowRight' || event.key === 'PageDown') { event.preventDefault(); show(current + 1); }
    else if (event.key === 'ArrowLeft' || event.key === 'PageUp') { event.preventDefault(); show(current - 1); }
    else if (event.key === 'Home') { event.preventDefault(); show(0); }
    else if (event.key === 'End') { event.preventDefault(); show(steps.length - 1); }
    else if (card && (event.key === '+' || event.key === '-')) {
      event.preventDefault();
      vote(card.querySelector('form.vote-form'), event.key === '-');
    } else if (card && event.key === ' ' && event.target === card) {
      event.preventDefault();
      const box = card.querySelector('input[name="observation_ids"]');
      box.checked = !box.checked;
      updateCount();
    }
  });

  show(current);
  updateCount();
}
