// Small DOM helpers: elements from data (text only: nothing is ever parsed as HTML), formatting,
// the confirmation dialog and the status toast.

/** h('a', { href, class }, child...) — strings become text nodes; null/false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** An ISO instant as local date and time with milliseconds; '' for none. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  // An unlimited time to live ends in the year 31254 (TimeSpan.MaxValue): say so.
  if (d.getFullYear() > 9999) return 'never';
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function table(headers, rows, caption) {
  return h(
    'div',
    { class: 'scroll' },
    h('table', {}, caption ? h('caption', {}, caption) : null, h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows)),
  );
}

/** A body as the page shows it: pretty JSON, text, or a hex dump of bytes. */
export function bodyView(body, encoding) {
  if (encoding === 'json') return { kind: 'JSON (AMQP value)', text: pretty(body) };
  if (encoding === 'base64') {
    const bin = atob(body);
    const lines = [];
    for (let i = 0; i < bin.length; i += 16) {
      const chunk = [...bin.slice(i, i + 16)].map((c) => c.charCodeAt(0));
      const hex = chunk.map((b) => b.toString(16).padStart(2, '0')).join(' ');
      const ascii = chunk.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
      lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
    }
    return { kind: `binary, ${bin.length} bytes`, text: lines.join('\n') };
  }
  const json = pretty(body);
  return json === undefined ? { kind: 'text', text: body } : { kind: 'JSON', text: json };
}

/** Pretty JSON, or undefined when the text is not JSON (the JS SDK sends every body as JSON). */
function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/** Resolves true when the user confirms (Enter on Cancel does not). */
export function confirmAction(title, text, okLabel = 'Confirm') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

let toastTimer;
export function toast(message, error = false) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = error ? 'show error' : 'show';
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = ''), error ? 8000 : 3500);
}

/** Runs an action, reporting success or the control API's error message. */
export async function act(fn, done) {
  try {
    const out = await fn();
    if (done) toast(typeof done === 'function' ? done(out) : done);
    return out;
  } catch (err) {
    toast(err.message, true);
    return undefined;
  }
}

export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', {}, hint) : null);
}
