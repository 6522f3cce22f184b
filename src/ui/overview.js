// Overview: every namespace and entity with its live counts and a chart of them.
import { legend, sparkline } from './chart.js';
import { h, table } from './dom.js';

export const entityHref = (path, tab = 'messages') => `#/entity/${encodeURIComponent(path)}/${tab}`;

export function overview(main) {
  const heading = h('h1', {}, 'Overview');
  const ns = h('p', { class: 'muted' });
  const body = h('div');
  main.replaceChildren(heading, ns, legend(), body);
  return {
    refresh({ entities, namespaces }) {
      ns.textContent = namespaces.length === 0 ? '' : `Namespace ${namespaces.map((n) => n.name).join(', ')} (${namespaces[0].sku}): ${entities.length} entities`;
      const rows = entities.map((e) => {
        const r = e.runtime;
        const receivable = e.kind !== 'topic';
        const name = e.kind === 'subscription' ? e.path.slice(e.path.toLowerCase().lastIndexOf('/subscriptions/') + 15) : e.path;
        const n = (v) => h('td', { class: `num${v > 0 ? '' : ' zero'}` }, v ?? '–');
        return h(
          'tr',
          { class: e.kind, 'data-path': e.path },
          h('th', { scope: 'row' }, h('a', { href: entityHref(e.path, receivable ? 'messages' : 'properties') }, name)),
          h('td', {}, e.kind),
          n(receivable ? r.activeMessageCount : undefined),
          n(r.scheduledMessageCount),
          n(receivable ? r.deferredMessageCount : undefined),
          n(receivable ? r.lockedMessageCount : undefined),
          n(receivable ? r.deadLetterMessageCount : undefined),
          n(receivable ? r.transferMessageCount : undefined),
          h('td', {}, sparkline(e.path)),
        );
      });
      if (rows.length === 0) {
        body.replaceChildren(h('p', {}, 'No queues or topics yet. Create them with the administration client or in Config.json.'));
        return;
      }
      const t = table(['Entity', 'Kind', 'Active', 'Scheduled', 'Deferred', 'Locked', 'Dead-lettered', 'Transfer', 'Recent (up to 5 min)'], rows, 'Messages by state. Active counts as Azure reports it, deferred and locked messages included.');
      t.querySelector('table').id = 'entities';
      body.replaceChildren(t);
    },
  };
}
