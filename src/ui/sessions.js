// The sessions of a session-enabled queue or subscription: counts, state, who holds the lock.
import { api, entityUrl } from './api.js';
import { bodyView, h, table, when } from './dom.js';

export async function sessionsTable(path) {
  const { sessions } = await api('GET', `${entityUrl(path)}/sessions`);
  if (sessions.length === 0) return h('p', { class: 'empty' }, 'No sessions with messages or state.');
  const rows = sessions.map((s) => {
    const st = s.state === null ? null : bodyView(s.state, s.stateEncoding);
    return h('tr', { 'data-session': s.sessionId },
      h('th', { scope: 'row' }, s.sessionId),
      h('td', { class: 'num' }, s.active), h('td', { class: 'num' }, s.locked), h('td', { class: 'num' }, s.deferred), h('td', { class: 'num' }, s.scheduled),
      h('td', {}, st === null ? h('span', { class: 'muted' }, 'none') : h('pre', { class: 'state', title: st.kind }, st.text)),
      h('td', {}, s.lockHolder ? when(s.lockedUntil) : h('span', { class: 'muted' }, 'not locked')),
      h('td', { class: 'mono' }, s.lockHolder ?? ''),
      h('td', {}, h('a', { href: `#/journal?entity=${encodeURIComponent(path)}&session=${encodeURIComponent(s.sessionId)}`, 'data-key': `journal-${s.sessionId}` }, 'Journal')));
  });
  return table(['Session', 'Active', 'Locked', 'Deferred', 'Scheduled', 'State', 'Locked until', 'Lock holder', ''], rows, `${sessions.length} session(s)`);
}
