// « Montrer au groupe »: a full-screen button where the browser allows it (the page works without it).
const button = document.getElementById('fullscreen');
if (button && document.fullscreenEnabled) {
  button.hidden = false;
  button.addEventListener('click', () => {
    document.documentElement.requestFullscreen().catch(() => {});
  });
}
