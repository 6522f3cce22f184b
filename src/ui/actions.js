// Clock, reset and faults: the namespace-wide actions.
import { api } from './api.js';
import { act, confirmAction, field, h, table, when } from './dom.js';

const ERRORS = ['server-busy', 'timeout', 'quota-exceeded', 'entity-disabled', 'not-found', 'message-lock-lost', 'session-lock-lost', 'session-cannot-be-locked', 'internal-error'];
const OPERATIONS = ['send', 'receive', 'settle', 'management', 'admin'];

const select = (id, options, first) => h('select', { id }, first ? h('option', { value: '' }, first) : null, options.map((o) => h('option', { value: o }, o)));

export function actionsPage(main, getEntities, refreshAll) {
  const clockNow = h('output', { id: 'clock-now' });
  const advanceBy = h('input', { id: 'advance-by', value: 'PT5M', autocomplete: 'off', size: 10 });
  const faultList = h('div', { id: 'faults' });
  const entityOptions = () => getEntities().then((list) => list.map((e) => e.path));

  // Fault form fields.
  const kind = select('fault-kind', ['error', 'delay']);
  const fEntity = h('select', { id: 'fault-entity' });
  const operation = select('fault-operation', OPERATIONS);
  const error = select('fault-error', ERRORS);
  const count = h('input', { id: 'fault-count', type: 'number', min: 1, value: 1 });
  const delay = h('input', { id: 'fault-delay', value: 'PT5S', autocomplete: 'off' });
  const lockEntity = h('select', { id: 'lock-entity' });
  const lockSeq = h('input', { id: 'lock-seq', type: 'number', min: 0, placeholder: 'every lock' });
  const sessionId = h('input', { id: 'lock-session', autocomplete: 'off' });

  async function advance(ev) {
    ev.preventDefault();
    const by = advanceBy.value.trim();
    const body = /^\d+$/.test(by) ? { ms: Number(by) } : { duration: by };
    await act(() => api('POST', 'clock/advance', body), (r) => `The clock is now ${when(r.now)}`);
    refreshAll();
  }

  async function reset() {
    const ok = await confirmAction('Reset the emulator?', 'Every entity goes back to the configuration: entities created at run time are deleted, and all messages, sessions, locks, the journal and armed faults are cleared.', 'Reset');
    if (ok) await act(() => api('POST', 'reset'), (r) => `Reset: ${r.removed?.length ?? 0} entities removed`);
    refreshAll();
  }

  async function arm(ev) {
    ev.preventDefault();
    const spec = { kind: kind.value, entity: fEntity.value || undefined, operation: operation.value, count: Number(count.value) || 1 };
    if (kind.value === 'error') spec.error = error.value;
    else spec.delay = delay.value;
    await act(() => api('POST', 'faults', spec), (f) => `Armed fault ${f.id}`);
    refresh();
  }

  async function clearFaults() {
    await act(() => api('DELETE', 'faults'), 'Faults cleared');
    refresh();
  }

  async function now(kindName, extra, ask) {
    if (ask && !(await confirmAction(ask[0], ask[1], 'Go on'))) return;
    await act(() => api('POST', 'faults', { kind: kindName, ...extra }), (r) => JSON.stringify(r));
    refreshAll();
  }

  main.replaceChildren(
    h('h1', {}, 'Clock, reset & faults'),
    h('section', { class: 'card', 'aria-labelledby': 'clock-title' },
      h('h2', { id: 'clock-title' }, 'Clock'),
      h('p', {}, 'Emulator time: ', clockNow),
      h('form', { class: 'row', onsubmit: advance },
        field('Advance by', advanceBy, 'ISO 8601 duration (PT30S, PT5M, P1D) or milliseconds'),
        ['PT1M', 'PT5M', 'PT1H', 'P1D'].map((d) => h('button', { type: 'button', onclick: () => { advanceBy.value = d; } }, d)),
        h('button', { type: 'submit', class: 'primary', id: 'advance' }, 'Advance')),
      h('p', { class: 'muted' }, 'Lock expiry, time to live, scheduled messages and AutoDeleteOnIdle due by then run at once. Needs --clock offset.')),
    h('section', { class: 'card', 'aria-labelledby': 'reset-title' },
      h('h2', { id: 'reset-title' }, 'Reset'),
      h('p', {}, 'Back to the configuration, as if just started; open connections stay.'),
      h('button', { type: 'button', class: 'danger', id: 'reset', onclick: reset }, 'Reset…')),
    h('section', { class: 'card', 'aria-labelledby': 'faults-title' },
      h('h2', { id: 'faults-title' }, 'Faults'),
      h('form', { class: 'grid', onsubmit: arm },
        field('Kind', kind), field('Entity', fEntity), field('Operation', operation), field('Error', error, 'what the client receives'),
        field('Delay', delay, 'delay faults: send and management only'), field('Count', count, 'how many operations it answers'),
        h('div', { class: 'row end' }, h('button', { type: 'submit', class: 'primary', id: 'arm' }, 'Arm fault'))),
      faultList,
      h('h3', {}, 'Act now'),
      h('div', { class: 'grid' }, field('Entity', lockEntity), field('Sequence number', lockSeq), field('Session', sessionId)),
      h('div', { class: 'row' },
        h('button', { type: 'button', id: 'expire-locks', onclick: () => now('expireLocks', { entity: lockEntity.value, sequenceNumber: lockSeq.value === '' ? undefined : Number(lockSeq.value) }) }, 'Expire message locks'),
        h('button', { type: 'button', id: 'expire-session', onclick: () => now('expireSessionLock', { entity: lockEntity.value, session: sessionId.value }) }, 'Expire session lock'),
        h('button', { type: 'button', id: 'drop', class: 'danger', onclick: () => now('dropConnections', { entity: lockEntity.value || undefined }, ['Drop connections?', 'AMQP connections with links on this entity (every connection when none is chosen) are closed with amqp:connection:forced.']) }, 'Drop connections…'))),
  );

  async function refresh() {
    const [clock, { faults }, paths] = await Promise.all([api('GET', 'clock'), api('GET', 'faults'), entityOptions()]);
    clockNow.textContent = `${when(clock.now)} (offset ${clock.offsetMs} ms)`;
    for (const [sel, first] of [[fEntity, 'every entity'], [lockEntity, 'choose an entity']]) {
      if (sel.options.length !== paths.length + 1) {
        const keep = sel.value;
        sel.replaceChildren(h('option', { value: '' }, first), ...paths.map((p) => h('option', { value: p }, p)));
        sel.value = keep;
      }
    }
    faultList.replaceChildren(faults.length === 0 ? h('p', { class: 'empty' }, 'No armed faults.') : h('div', {},
      table(['#', 'Entity', 'Operation', 'Error / delay', 'Count', 'Hits'], faults.map((f) => h('tr', {},
        h('td', { class: 'num' }, f.id), h('td', {}, f.entity ?? 'every entity'), h('td', {}, f.operation),
        h('td', {}, f.error ?? `${f.delayMs} ms delay`), h('td', { class: 'num' }, f.count), h('td', { class: 'num' }, f.hits))), `${faults.length} armed fault(s)`),
      h('button', { type: 'button', id: 'clear-faults', onclick: clearFaults }, 'Clear all faults')));
  }
  return { refresh };
}
