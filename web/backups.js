// The operator's backups screen (superadmin): where the backups are written, how often, whether the
// last automatic one worked, the files kept, and a button to take one now. Restoring stays a
// command on the server (`guichet restore`): it replaces the whole database.
import { api } from './api.js';
import { alertBox, fmtDate, fmtNum, h, table } from './ui.js';

const SCHEDULES = {
  off: 'aucune (sauvegardes automatiques désactivées)',
  hourly: 'toutes les heures',
  daily: 'tous les jours',
  weekly: 'toutes les semaines',
};

/** Bytes as people read them (Ko, Mo, Go). */
export function fmtBytes(n) {
  if (n == null) return '—';
  const units = ['octets', 'Ko', 'Mo', 'Go', 'To'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${fmtNum(v, u ? 1 : 0)} ${units[u]}`;
}

function lastStatus(last, schedule) {
  if (!last)
    return alertBox(
      schedule === 'off' ? 'warning' : 'info',
      null,
      schedule === 'off'
        ? 'Aucune sauvegarde automatique n’est programmée : pensez à sauvegarder régulièrement (bouton ci-dessous ou `guichet backup`).'
        : 'Aucune sauvegarde automatique n’a encore eu lieu depuis la mise en service.',
    );
  return last.ok
    ? alertBox(
        'success',
        null,
        `Dernière sauvegarde automatique réussie le ${fmtDate(last.at)}${last.file ? ` : ${last.file}` : ''}${
          last.bytes != null ? ` (${fmtBytes(last.bytes)})` : ''
        }.`,
      )
    : alertBox(
        'error',
        'La dernière sauvegarde automatique a échoué',
        `${fmtDate(last.at)} : ${last.message ?? 'cause inconnue'}. Vérifiez l’espace disque et les droits du dossier, puis sauvegardez maintenant.`,
      );
}

export async function backups(body) {
  const zone = h('div', { id: 'backup-messages', 'aria-live': 'polite' });
  const content = h('div', { id: 'backup-list' });
  const button = h(
    'button',
    { id: 'backup-now', class: 'fr-btn fr-icon-save-line fr-btn--icon-left', type: 'button' },
    'Sauvegarder maintenant',
  );
  body.append(content, zone);

  async function refresh() {
    const r = await api('/v1/admin/backups');
    content.replaceChildren(
      h(
        'p',
        {},
        'Les sauvegardes contiennent ce qui ne se reconstruit pas : comptes, clés, quotas, usage, conversations, avis, journal d’audit, collections et documents, configuration sans secrets. Le corpus national n’y est pas : il est réindexé depuis sa source.',
      ),
      h(
        'ul',
        {},
        h('li', {}, 'Dossier : ', h('code', {}, r.folder)),
        h('li', {}, `Fréquence : ${SCHEDULES[r.schedule] ?? r.schedule}`),
      ),
      lastStatus(r.last, r.schedule),
      h('p', {}, button),
      table(
        'Sauvegardes présentes dans le dossier',
        ['Fichier', 'Date', 'Taille', 'Type'],
        r.data.map((b) => [
          h('code', {}, b.name),
          fmtDate(b.created_at),
          fmtBytes(b.bytes),
          b.automatic ? 'Automatique' : 'Manuelle',
        ]),
      ),
      h('h3', { class: 'fr-h5 fr-mt-3w' }, 'Restaurer'),
      h(
        'p',
        {},
        'La restauration remplace toute la base : elle se fait sur le serveur, service arrêté, avec ',
        h('code', {}, 'guichet restore <fichier>'),
        ' (phrase de passe d’une sauvegarde chiffrée dans GUICHET_BACKUP_PASSPHRASE). Faites-la d’abord sur une machine de test pour vérifier vos sauvegardes.',
      ),
    );
  }

  button.addEventListener('click', async () => {
    button.disabled = true;
    zone.replaceChildren(alertBox('info', null, 'Sauvegarde en cours…'));
    try {
      const b = await api('/v1/admin/backups', { method: 'POST' });
      await refresh();
      zone.replaceChildren(
        alertBox('success', null, `Sauvegarde écrite : ${b.name} (${fmtBytes(b.bytes)}).`),
      );
    } catch (e) {
      zone.replaceChildren(alertBox('error', 'La sauvegarde a échoué', e.message));
    } finally {
      button.disabled = false;
    }
  });
  await refresh();
}
