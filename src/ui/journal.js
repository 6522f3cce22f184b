// The journal as a timeline: every event in order, one lane per message so that the order of
// enqueues, deliveries and settlements across messages shows at a glance.
import { api } from './api.js';
import { field, h, table, when } from './dom.js';
import { entityHref } from './overview.js';

const SHOWN = 1000;
const MAX_LANES = 16;

export function journalPage(main, params, getEntities) {
  let events = [];
  const entitySelect = h('select', { id: 'journal-entity', 'data-key': 'journal-entity' });
  const sessionInput = h('input', { id: 'journal-session', value: params.get('session') ?? '', autocomplete: 'off', placeholder: 'any session' });
  const body = h('div', { id: 'journal' });
  const apply = (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (entitySelect.value) q.set('entity', entitySelect.value);
    if (sessionInput.value) q.set('session', sessionInput.value);
    location.hash = `#/journal?${q}`;
  };
  main.replaceChildren(
    h('h1', {}, 'Journal'),
    h('p', { class: 'muted' }, 'What happened to each message, in order, on the emulator’s clock. Each column of dots is one message.'),
    h('form', { class: 'row filters', onsubmit: apply }, field('Entity', entitySelect), field('Session', sessionInput), h('button', { type: 'submit' }, 'Show')),
    body,
  );
  const entity = params.get('entity') ?? '';
  const session = params.get('session') ?? '';

  function render() {
    const shown = events.slice(-SHOWN);
    const lanes = [];
    for (const e of shown) if (e.sequenceNumber !== undefined && !lanes.includes(laneKey(e)) && lanes.length < MAX_LANES) lanes.push(laneKey(e));
    const rows = shown.map((e) => {
      const lane = lanes.indexOf(laneKey(e));
      return h('tr', { class: `ev ${e.type}` },
        h('td', { class: 'num' }, e.number),
        h('td', {}, when(e.time)),
        h('td', { class: 'lanes', 'aria-hidden': 'true' }, lanes.map((_, i) => h('span', { class: i === lane ? `dot ${e.type}` : 'lane' }))),
        h('td', {}, h('span', { class: `badge ${e.type}` }, e.type)),
        h('td', {}, e.entity ? h('a', { href: entityHref(e.entity.replace(/\/\$DeadLetterQueue$/i, ''), /\/\$DeadLetterQueue$/i.test(e.entity) ? 'deadletter' : 'messages') }, e.entity) : ''),
        h('td', {}, e.sessionId ?? ''),
        h('td', { class: 'num' }, e.sequenceNumber ?? ''),
        h('td', { class: 'mono' }, e.messageId ?? ''),
        h('td', { class: 'num' }, e.deliveryCount ?? ''),
        h('td', {}, e.detail ?? ''));
    });
    const caption = `${events.length} event(s)${events.length > SHOWN ? `, the newest ${SHOWN} shown` : ''}`;
    body.replaceChildren(events.length === 0 ? h('p', { class: 'empty' }, 'No events yet.') : table(['#', 'Time', 'Messages', 'Event', 'Entity', 'Session', 'Seq', 'Message id', 'Deliveries', 'Detail'], rows, caption));
  }

  async function refresh() {
    const entities = await getEntities();
    if (entitySelect.options.length !== entities.length + 1) {
      entitySelect.replaceChildren(h('option', { value: '' }, 'every entity'), ...entities.map((e) => h('option', { value: e.path, selected: e.path === entity ? true : null }, e.path)));
    }
    const last = events.length === 0 ? 0 : events[events.length - 1].number;
    const q = new URLSearchParams({ since: String(Math.max(0, last - 1)) });
    if (entity) q.set('entity', entity);
    if (session) q.set('session', session);
    const got = (await api('GET', `journal?${q}`)).events;
    // A reset restarts the numbering: the last event seen is gone, so read it all again.
    if (last > 0 && got[0]?.number !== last) {
      events = [];
      return refresh();
    }
    const fresh = last > 0 ? got.slice(1) : got;
    if (fresh.length === 0 && body.childElementCount > 0) return;
    events.push(...fresh);
    if (events.length > 10 * SHOWN) events = events.slice(-SHOWN);
    render();
  }
  return { refresh };
}

const laneKey = (e) => `${e.entity.replace(/\/\$DeadLetterQueue$/i, '').toLowerCase()}#${e.sequenceNumber}`;
