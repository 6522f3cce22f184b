// The send form: one message to a queue or topic, through the control API.
import { api, entityUrl } from './api.js';
import { act, field, h } from './dom.js';

export function sendForm(path, entity) {
  const body = h('textarea', { id: 'send-body', rows: 6, spellcheck: 'false' }, '{\n  "hello": "world"\n}');
  const encoding = h('select', { id: 'send-encoding' }, h('option', { value: 'utf8' }, 'text (UTF-8)'), h('option', { value: 'base64' }, 'bytes (base64)'));
  const contentType = h('input', { id: 'send-content-type', value: 'application/json', autocomplete: 'off' });
  const messageId = h('input', { id: 'send-message-id', autocomplete: 'off', placeholder: 'generated when empty' });
  const sessionId = h('input', { id: 'send-session-id', autocomplete: 'off', required: entity.properties.requiresSession ? true : null });
  const subject = h('input', { id: 'send-subject', autocomplete: 'off' });
  const correlationId = h('input', { id: 'send-correlation-id', autocomplete: 'off' });
  const props = h('textarea', { id: 'send-properties', rows: 3, spellcheck: 'false', placeholder: '{"region": "eu", "priority": 5}' });
  const scheduled = h('input', { id: 'send-scheduled', autocomplete: 'off', placeholder: '2026-01-01T12:00:00Z' });
  const error = h('p', { class: 'error', role: 'alert' });

  async function submit(ev) {
    ev.preventDefault();
    error.textContent = '';
    let applicationProperties;
    if (props.value.trim() !== '') {
      try {
        applicationProperties = JSON.parse(props.value);
      } catch {
        error.textContent = 'Application properties must be a JSON object.';
        props.focus();
        return;
      }
    }
    const message = {
      body: body.value, bodyEncoding: encoding.value, contentType: contentType.value, messageId: messageId.value, sessionId: sessionId.value,
      subject: subject.value, correlationId: correlationId.value, applicationProperties, scheduledEnqueueTime: scheduled.value,
    };
    const out = await act(() => api('POST', `${entityUrl(path)}/messages`, message), (r) => `Sent to ${path}: sequence number ${r.sequenceNumber}`);
    if (out === undefined) error.textContent = document.getElementById('toast').textContent;
  }

  return h('form', { class: 'send', onsubmit: submit, 'aria-labelledby': 'send-title' },
    h('h2', { id: 'send-title' }, `Send a message to ${path}`),
    entity.kind === 'topic' ? h('p', { class: 'muted' }, 'Each subscription whose rules match receives a copy.') : null,
    field('Body', body, 'Sent as a data section, as most SDKs send bodies; JSON comes back parsed in the JS SDK.'),
    h('div', { class: 'grid' },
      field('Body is', encoding), field('Content type', contentType), field('Message id', messageId),
      field(entity.properties.requiresSession ? 'Session id (required)' : 'Session id', sessionId), field('Subject (label)', subject), field('Correlation id', correlationId),
      field('Scheduled enqueue time', scheduled, 'ISO 8601; empty: now')),
    field('Application properties (JSON object)', props),
    error,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', id: 'send-submit' }, 'Send')));
}
