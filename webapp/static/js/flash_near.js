// The messages of the previous action, shown where the page comes back to.
//
// A form refused in a section of a long page comes back with its problem there, marked
// `data-focus-on-load`: the page is brought to it and it gets the focus, so the problem is seen and read.
//
// An action on one section of a long page (keep the QPV, rename a zone, record the minors' consent…)
// comes back to that section (`…/zones#qpv`): its messages, printed at the top of the page, were out
// of sight, so « 6 QPV retenu(s) » or « someone else changed… meanwhile » went unseen. They are moved
// under the section's heading, and the section is brought back into view. Without JavaScript they stay
// at the top.

const box = document.querySelector('[data-flashes]');
const id = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : '';
const target = id ? document.getElementById(id) : null;
if (box && target && !target.contains(box) && !box.contains(target)) {
  const heading = target.matches('h1, h2, h3') ? target : target.querySelector('h1, h2, h3');
  if (heading) {
    heading.after(box);
  } else {
    target.prepend(box);
  }
  target.scrollIntoView();
}

const problem = document.querySelector('[data-focus-on-load]');
if (problem) {
  problem.scrollIntoView({ block: 'center' });
  problem.focus({ preventScroll: true });
}
