/**
 * Inspection and purge over HTTP. An entity path may itself hold '/' (a queue `a/b`, a
 * subscription `t/Subscriptions/s`), so the route takes the rest of the URL and the last
 * segment says what is asked: /emulator/entities/{path}/messages?state=..., .../sessions,
 * POST .../purge.
 */
import type { FastifyInstance } from 'fastify';
import { ControlError, type ControlSurface } from '../../control/index.js';

function split(rest: string, verbs: readonly string[]): { path: string; verb: string } {
  const decoded = rest
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join('/')
    .replace(/\/+$/, '');
  const i = decoded.lastIndexOf('/');
  const verb = i < 0 ? '' : decoded.slice(i + 1).toLowerCase();
  if (i <= 0 || !verbs.includes(verb)) {
    throw new ControlError(404, `Use /emulator/entities/{path}/${verbs.join(' or /')}.`);
  }
  return { path: decoded.slice(0, i), verb };
}

export async function controlEntityRoutes(app: FastifyInstance, api: ControlSurface): Promise<void> {
  app.get('/emulator/entities', async () => ({ entities: api.inspect.entities() }));
  app.get('/emulator/entities/*', async (request) => {
    const { path, verb } = split((request.params as { '*': string })['*'], ['messages', 'sessions']);
    if (verb === 'sessions') return { sessions: api.inspect.sessions(path) };
    const state = (request.query as { state?: string }).state;
    return { messages: api.inspect.messages(path, { state: state === '' ? undefined : state }) };
  });
  app.post('/emulator/entities/*', async (request) => {
    const { path } = split((request.params as { '*': string })['*'], ['purge']);
    return api.purge(path);
  });
}
