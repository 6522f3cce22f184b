// The entity page: properties, messages by state, the dead-letter queue, sessions, rules, and
// the actions on them (send, purge, delete, resubmit).
import { api, entityUrl } from './api.js';
import { act, bodyView, confirmAction, h, table, when } from './dom.js';
import { entityHref } from './overview.js';
import { sendForm } from './send.js';
import { sessionsTable } from './sessions.js';

const STATES = ['', 'active', 'locked', 'deferred', 'scheduled'];

function tabsFor(e) {
  const tabs = [];
  if (e.kind !== 'topic') tabs.push(['messages', 'Messages'], ['deadletter', 'Dead-letter queue']);
  else tabs.push(['messages', 'Scheduled']);
  if (e.properties.requiresSession) tabs.push(['sessions', 'Sessions']);
  if (e.kind === 'subscription') tabs.push(['rules', 'Rules']);
  tabs.push(['properties', 'Properties']);
  if (e.kind !== 'subscription') tabs.push(['send', 'Send']);
  return tabs;
}

export function entityPage(main, path, tab, getEntities) {
  const state = { filter: '', expanded: new Set(), tab };
  let entity;
  const head = h('div');
  const content = h('div', { id: 'tab-content' });
  main.replaceChildren(head, content);
  let formMounted = false;

  async function purge() {
    const ok = await confirmAction(`Purge ${path}?`, 'Every message of this entity and of its dead-letter queue is deleted (a topic: its scheduled messages and every subscription). This cannot be undone.', 'Purge');
    if (ok) await act(() => api('POST', `${entityUrl(path)}/purge`), (r) => `Purged ${r.removed} message(s)`);
  }

  function header(e) {
    const crumbs = [h('a', { href: '#/' }, 'Overview')];
    const i = path.toLowerCase().lastIndexOf('/subscriptions/');
    if (i > 0) crumbs.push(' / ', h('a', { href: entityHref(path.slice(0, i), 'properties') }, path.slice(0, i)));
    head.replaceChildren(
      h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, crumbs),
      h('div', { class: 'title-row' },
        h('h1', {}, h('span', { class: 'kind' }, e.kind), ' ', path),
        h('div', { class: 'row' },
          h('a', { class: 'button', 'data-key': 'journal', href: `#/journal?entity=${encodeURIComponent(path)}` }, 'Journal'),
          h('button', { type: 'button', class: 'danger', 'data-key': 'purge', onclick: purge }, 'Purge…'))),
      h('nav', { class: 'tabs', 'aria-label': 'Entity sections' },
        tabsFor(e).map(([id, label]) => h('a', { href: entityHref(path, id), 'data-key': `tab-${id}`, 'aria-current': id === tab ? 'page' : null }, label))),
      counts(e),
    );
  }

  function counts(e) {
    const r = e.runtime;
    const items = e.kind === 'topic'
      ? [['Scheduled', r.scheduledMessageCount], ['Subscriptions', r.subscriptionCount]]
      : [['Active', r.activeMessageCount], ['Locked', r.lockedMessageCount], ['Deferred', r.deferredMessageCount], ['Scheduled', r.scheduledMessageCount], ['Dead-lettered', r.deadLetterMessageCount], ['Transfer', r.transferMessageCount]];
    return h('dl', { class: 'counts' }, items.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v ?? 0))));
  }

  function messageRow(m, dead, colspan) {
    const key = `${dead ? 'd' : 'm'}${m.sequenceNumber}`;
    const open = state.expanded.has(key);
    const toggle = h('button', { type: 'button', class: 'icon', 'aria-expanded': open ? 'true' : 'false', 'data-key': `toggle-${key}`, 'aria-label': `Details of message ${m.sequenceNumber}`,
      onclick: () => { if (open) state.expanded.delete(key); else state.expanded.add(key); refresh(); } }, open ? '▾' : '▸');
    const actions = [
      dead ? h('button', { type: 'button', 'data-key': `resubmit-${key}`, onclick: () => resubmit(m) }, 'Resubmit') : null,
      e_isTopic() ? null : h('button', { type: 'button', class: 'danger', 'data-key': `delete-${key}`, onclick: () => remove(m, dead) }, 'Delete…'),
    ];
    const cells = [
      h('td', {}, toggle),
      h('td', { class: 'num' }, m.sequenceNumber),
      h('td', { class: 'mono' }, m.messageId),
      h('td', {}, m.sessionId ?? ''),
      h('td', {}, h('span', { class: `badge ${m.state}` }, m.state)),
      h('td', { class: 'num' }, m.deliveryCount),
      h('td', {}, when(m.enqueuedTime)),
    ];
    if (dead) cells.push(h('td', {}, m.deadLetterReason ?? ''), h('td', {}, m.deadLetterErrorDescription ?? ''));
    else cells.push(h('td', {}, when(m.lockedUntil)), h('td', { class: 'mono' }, m.lockHolder ?? ''), h('td', {}, when(m.scheduledEnqueueTime)));
    cells.push(h('td', { class: 'actions' }, actions));
    const rows = [h('tr', { 'data-seq': m.sequenceNumber }, cells)];
    if (open) rows.push(h('tr', { class: 'detail' }, h('td', { colspan }, details(m))));
    return rows;
  }

  function details(m) {
    const b = bodyView(m.body, m.bodyEncoding);
    const props = [
      ['Content type', m.contentType], ['Subject', m.subject], ['Correlation id', m.correlationId], ['Expires', when(m.expiresAt)],
      ['Dead-letter source', m.deadLetterSource],
    ].filter(([, v]) => v);
    const app = Object.entries(m.applicationProperties ?? {});
    return h('div', { class: 'details' },
      h('section', {}, h('h3', {}, `Body (${b.kind})`), h('pre', { class: 'body', tabindex: '0' }, b.text)),
      h('section', {}, h('h3', {}, 'Properties'),
        h('dl', { class: 'props' }, props.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
          app.length === 0 ? [h('dt', {}, 'Application properties'), h('dd', {}, 'none')] : app.map(([k, v]) => [h('dt', { class: 'mono' }, k), h('dd', { class: 'mono' }, JSON.stringify(v))]))));
  }

  const e_isTopic = () => entity?.kind === 'topic';

  async function remove(m, dead) {
    const ok = await confirmAction(`Delete message ${m.sequenceNumber}?`, `Message ${m.messageId} is removed from ${dead ? 'the dead-letter queue' : path} for good${m.lockHolder ? '; its lock holder will get MessageLockLost' : ''}.`, 'Delete');
    if (ok) await act(() => api('DELETE', `${entityUrl(dead ? `${path}/$DeadLetterQueue` : path)}/messages/${m.sequenceNumber}`), `Deleted message ${m.sequenceNumber}`);
    refresh();
  }

  async function resubmit(m) {
    await act(() => api('POST', `${entityUrl(path)}/messages/${m.sequenceNumber}/resubmit`), (r) => `Resubmitted to ${path} as sequence number ${r.sequenceNumber}`);
    refresh();
  }

  async function messagesTab(dead) {
    let filter = null;
    if (!dead && !e_isTopic()) {
      filter = h('select', { id: 'state-filter', 'data-key': 'state-filter', onchange: (ev) => { state.filter = ev.target.value; refresh(); } },
        STATES.map((s) => h('option', { value: s, selected: s === state.filter ? true : null }, s === '' ? 'every state' : s)));
    }
    const q = dead ? '?state=deadlettered' : state.filter ? `?state=${state.filter}` : '';
    let list = (await api('GET', `${entityUrl(path)}/messages${q}`)).messages;
    if (!dead && !state.filter) list = list.filter((m) => m.state !== 'deadlettered');
    const headers = ['', 'Seq', 'Message id', 'Session', 'State', 'Deliveries', 'Enqueued'];
    headers.push(...(dead ? ['Reason', 'Description'] : ['Locked until', 'Lock holder', 'Scheduled']), 'Actions');
    const rows = list.map((m) => messageRow(m, dead, headers.length));
    const caption = `${list.length} message(s)${dead ? ' in the dead-letter queue' : ''}`;
    const parts = [];
    if (filter) parts.push(h('div', { class: 'row' }, h('label', { for: 'state-filter' }, 'Show'), filter));
    parts.push(list.length === 0 ? h('p', { class: 'empty' }, dead ? 'The dead-letter queue is empty.' : 'No messages.') : table(headers, rows, caption));
    return parts;
  }

  function propertiesTab(e) {
    const entries = [...Object.entries(e.properties), ...Object.entries(e.runtime)];
    return [h('dl', { class: 'props wide' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', { class: 'mono' }, typeof v === 'object' ? JSON.stringify(v) : String(v))]))];
  }

  async function rulesTab() {
    const { rules } = await api('GET', `${entityUrl(path)}/rules`);
    const filterText = (f) => (f.type === 'sql' ? f.expression : f.type === 'correlation' ? JSON.stringify(Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'type'))) : f.type === 'true' ? 'TrueFilter (everything)' : 'FalseFilter (nothing)');
    return [table(['Name', 'Filter type', 'Filter', 'Action', 'Created'], rules.map((r) => h('tr', {},
      h('th', { scope: 'row' }, r.name), h('td', {}, r.filter.type), h('td', { class: 'mono' }, filterText(r.filter)),
      h('td', { class: 'mono' }, r.action.type === 'sql' ? r.action.expression : ''), h('td', {}, when(r.createdAt)))), `${rules.length} rule(s)`)];
  }

  async function refresh() {
    entity = (await getEntities()).find((x) => x.path.toLowerCase() === path.toLowerCase());
    if (entity === undefined) {
      head.replaceChildren(h('h1', {}, path), h('p', {}, 'This entity does not exist (any more).'), h('a', { href: '#/' }, 'Back to the overview'));
      content.replaceChildren();
      return;
    }
    const focused = document.activeElement?.getAttribute('data-key');
    header(entity);
    if (tab === 'send') {
      if (focused) main.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
      if (!formMounted) content.replaceChildren(sendForm(path, entity));
      formMounted = true;
      return;
    }
    let parts;
    if (tab === 'deadletter') parts = await messagesTab(true);
    else if (tab === 'sessions') parts = [await sessionsTable(path)];
    else if (tab === 'rules') parts = await rulesTab();
    else if (tab === 'properties') parts = propertiesTab(entity);
    else parts = await messagesTab(false);
    content.replaceChildren(...parts);
    if (focused) main.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  return { refresh };
}
