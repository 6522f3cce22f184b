/**
 * Inspection, purge and single-message actions over HTTP. An entity path may itself hold '/' (a
 * queue `a/b`, a subscription `t/Subscriptions/s`), so the route takes the rest of the URL and its
 * tail says what is asked:
 *
 *   GET    {path}/messages?state=   {path}/sessions   {path}/rules
 *   POST   {path}/messages          send one message (JSON: body, sessionId, applicationProperties...)
 *   POST   {path}/purge
 *   DELETE {path}/messages/{seq}    ({path}/$DeadLetterQueue/messages/{seq} for a dead-lettered one)
 *   POST   {path}/messages/{seq}/resubmit   a dead-lettered message back into {path}
 */
import type { FastifyInstance } from 'fastify';
import { ControlError, type ControlMessageSpec, type ControlSurface } from '../../control/index.js';
import { bodyObject } from './controlFaults.js';

function decode(rest: string): string {
  return rest
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
}

const USAGE = 'Use /emulator/entities/{path}/messages, /sessions, /rules, /purge, /messages/{sequenceNumber} or /messages/{sequenceNumber}/resubmit.';

function parse(rest: string): { path: string; verb: string; seq?: number } {
  const decoded = decode(rest);
  const one = /^(.+)\/messages\/(\d+)(\/resubmit)?$/i.exec(decoded);
  if (one !== null) return { path: one[1]!, verb: one[3] === undefined ? 'message' : 'resubmit', seq: Number(one[2]) };
  const all = /^(.+)\/(messages|sessions|rules|purge)$/i.exec(decoded);
  if (all === null) throw new ControlError(404, USAGE);
  return { path: all[1]!, verb: all[2]!.toLowerCase() };
}

const DLQ = /\/\$deadletterqueue$/i;

export async function controlEntityRoutes(app: FastifyInstance, api: () => ControlSurface): Promise<void> {
  const rest = (request: { params: unknown }): string => (request.params as { '*': string })['*'];
  app.get('/emulator/entities', async () => ({ namespaces: api().inspect.namespaces(), entities: api().inspect.entities() }));
  app.get('/emulator/entities/*', async (request) => {
    const { path, verb } = parse(rest(request));
    if (verb === 'sessions') return { sessions: api().inspect.sessions(path) };
    if (verb === 'rules') return { rules: api().inspect.rules(path) };
    if (verb !== 'messages') throw new ControlError(404, USAGE);
    const state = (request.query as { state?: string }).state;
    return { messages: api().inspect.messages(path, { state: state === '' ? undefined : state }) };
  });
  app.post('/emulator/entities/*', async (request, reply) => {
    const { path, verb, seq } = parse(rest(request));
    if (verb === 'purge') return api().purge(path);
    if (verb === 'resubmit') return api().resubmit(path, seq!);
    if (verb === 'messages') return reply.code(201).send(api().send(path, bodyObject(request.body) as unknown as ControlMessageSpec));
    throw new ControlError(404, USAGE);
  });
  app.delete('/emulator/entities/*', async (request) => {
    const { path, verb, seq } = parse(rest(request));
    if (verb !== 'message') throw new ControlError(404, USAGE);
    const deadLettered = DLQ.test(path);
    return api().deleteMessage(deadLettered ? path.replace(DLQ, '') : path, seq!, { deadLettered });
  });
}
