// Keyboard shortcuts of the assistant and their help dialog (a DSFR modal in index.html).

/** Opens the help dialog listing the shortcuts. */
export function openShortcuts() {
  const modal = document.getElementById('shortcuts-modal');
  if (!modal) return;
  try {
    if (window.dsfr) return window.dsfr(modal).modal.disclose();
  } catch {
    /* DSFR not ready: native dialog below */
  }
  if (!modal.open) modal.showModal();
}

const typing = (el) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

export function installShortcuts() {
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.isComposing) return;
    if (e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyN') {
      e.preventDefault();
      if (location.hash === '#/assistant' || !location.hash) window.dispatchEvent(new Event('hashchange'));
      else location.hash = '#/assistant';
      return;
    }
    if (e.key === 'Escape') {
      const stop = document.querySelector('[data-action-stop]');
      if (stop && !document.querySelector('dialog[open], .fr-modal--opened')) {
        e.preventDefault();
        stop.click();
      }
      return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '/') {
      const q = document.getElementById('question');
      if (q) {
        e.preventDefault();
        q.focus();
      }
    } else if (e.key === '?') {
      e.preventDefault();
      openShortcuts();
    }
  });
}
