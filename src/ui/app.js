// The dashboard: sign-in, hash routing between pages, and polling for live updates. Every page
// reads and acts only through the control API (/emulator/...), so anything seen here can be
// scripted the same way.
import { actionsPage } from './actions.js';
import { api, signedIn, signIn, signOut, Unauthorized } from './api.js';
import { record } from './chart.js';
import { field, h, toast, when } from './dom.js';
import { entityPage } from './entity.js';
import { journalPage } from './journal.js';
import { overview } from './overview.js';

const POLL_MS = 2000;
const main = document.getElementById('main');
const live = document.getElementById('live');
let view;
let entities;
let timer;

/** The entity list of the current poll (fetched once per poll, shared by the page). */
function getEntities() {
  entities ??= api('GET', 'entities').then((r) => {
    record(r.entities);
    return r;
  });
  return entities.then((r) => r.entities);
}

function loginPage(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('status').hidden = true;
  const name = h('input', { id: 'key-name', value: 'RootManageSharedAccessKey', autocomplete: 'username', required: true });
  const key = h('input', { id: 'key', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const form = h('form', { class: 'card login', onsubmit: async (ev) => {
    ev.preventDefault();
    signIn(name.value, key.value);
    try {
      await api('GET', 'clock');
      start();
    } catch (err) {
      signOut();
      error.textContent = err.message;
      key.focus();
    }
  } },
  h('h1', {}, 'Sign in'),
  h('p', {}, 'The dashboard uses the emulator’s control API, which needs a key with the Manage right: the one in the connection string (SharedAccessKeyName / SharedAccessKey, by default RootManageSharedAccessKey / SAS_KEY_VALUE). It is kept in this tab only.'),
  field('Key name', name), field('Key', key), error,
  h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, 'Sign in'));
  main.replaceChildren(form);
  key.focus();
}

function route() {
  const hash = location.hash || '#/';
  const [path, query] = hash.slice(1).split('?');
  const params = new URLSearchParams(query ?? '');
  const parts = path.split('/').filter(Boolean);
  for (const a of document.querySelectorAll('#nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${parts[0] ?? ''}`);
  if (parts[0] === 'entity' && parts[1] !== undefined) {
    const entityPath = decodeURIComponent(parts[1]);
    document.title = `${entityPath} · Service Bus emulator`;
    return entityPage(main, entityPath, parts[2] ?? 'messages', getEntities);
  }
  if (parts[0] === 'journal') {
    document.title = 'Journal · Service Bus emulator';
    return journalPage(main, params, getEntities);
  }
  if (parts[0] === 'actions') {
    document.title = 'Clock, reset & faults · Service Bus emulator';
    return actionsPage(main, getEntities, poll);
  }
  document.title = 'Overview · Service Bus emulator';
  const o = overview(main);
  return { refresh: async () => o.refresh({ entities: await getEntities(), namespaces: (await entities).namespaces }) };
}

// A navigation starts a poll while another may be in flight: only the newest one stamps the page
// and schedules the next.
let generation = 0;

async function poll() {
  clearTimeout(timer);
  const gen = ++generation;
  entities = undefined;
  try {
    const clock = await api('GET', 'clock');
    document.getElementById('clock').textContent = `Emulator time ${when(clock.now)}${clock.offsetMs ? ` (+${clock.offsetMs} ms)` : ''}`;
    await getEntities();
    await view?.refresh();
    if (gen !== generation) return;
    main.dataset.updated = String(Date.now());
  } catch (err) {
    if (gen !== generation) return;
    if (err instanceof Unauthorized) {
      signOut();
      loginPage('The key was refused; sign in again.');
      return;
    }
    toast(err.message, true);
  }
  if (live.checked) timer = setTimeout(poll, POLL_MS);
}

function navigate() {
  view = route();
  main.focus({ preventScroll: true });
  poll();
}

function start() {
  document.getElementById('nav').hidden = false;
  document.getElementById('status').hidden = false;
  navigate();
}

window.addEventListener('hashchange', () => signedIn() && navigate());
live.addEventListener('change', () => live.checked && poll());
document.getElementById('signout').addEventListener('click', () => {
  clearTimeout(timer);
  signOut();
  loginPage();
});

if (signedIn()) start();
else loginPage();
