/**
 * The test control API under /emulator (src/control has the meaning; this is its HTTP form):
 *
 *   GET  /emulator/clock                      {"now":ISO,"offsetMs":N}
 *   POST /emulator/clock/advance              {"duration":"PT1H"} or {"ms":3600000}
 *   POST /emulator/reset
 *   GET  /emulator/journal?entity=&session=&since=
 *   GET|POST|DELETE /emulator/faults
 *   GET  /emulator/entities, /emulator/entities/{path}/messages|sessions, POST .../purge
 *
 * It answers only a SAS token with the Manage right, like the admin API, and in JSON, errors
 * included ({"error":{"status","message"}}).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isBrokerError } from '../../broker/errors.js';
import { ControlError, type ControlPlane, type ControlSurface } from '../../control/index.js';
import { generateSasToken, validateKeyPair } from '../../auth/sas.js';
import { describeError, HttpError } from '../errors.js';
import { authPlugin } from '../plugins/auth.js';
import { controlEntityRoutes } from './controlEntities.js';
import { bodyObject, controlFaultRoutes } from './controlFaults.js';
import { controlNamespaceRoutes } from './controlNamespaces.js';
import { requestNamespace } from '../context.js';

function sendJsonError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { status, message } });
}

export async function controlRoutes(app: FastifyInstance, control: ControlPlane): Promise<void> {
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ControlError) return sendJsonError(reply, err.status, err.message);
    const { status, detail, unexpected } = describeError(err);
    if (unexpected && !isBrokerError(err)) request.log.error({ err }, 'control request failed');
    return sendJsonError(reply, status, detail);
  });
  // Bodies are optional on these POSTs: an empty JSON body is an empty object, not a 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const s = String(text).trim();
    if (s === '') return done(null, {});
    try {
      done(null, JSON.parse(s));
    } catch {
      done(new ControlError(400, 'The request body is not valid JSON.'), undefined);
    }
  });
  // For a one-line curl (`-u RootManageSharedAccessKey:KEY`), a namespace key with the Manage
  // right may come as Basic credentials; it becomes the token the SDKs would make from it, so the
  // one SAS check below decides either way.
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined || !/^Basic\s/i.test(header)) return;
    const pair = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    const name = pair.slice(0, Math.max(colon, 0));
    const key = pair.slice(colon + 1);
    const auth = app.admin.namespaceFor?.(name)?.auth ?? app.admin.auth;
    const manage = colon > 0 && validateKeyPair(auth, name, key).some((g) => g.audience === '' && g.rights.includes('Manage'));
    if (!manage) throw new HttpError(401, 'Unauthorized: Basic credentials must be a namespace key name and key with the Manage right.');
    request.headers.authorization = generateSasToken('sb://emulator/', name, key, Math.floor(app.admin.now() / 1000) + 60);
  });
  await app.register(authPlugin);
  // The request's key chooses the namespace, as on the admin API: a per-test namespace's key reaches
  // its own entities, journal, faults and clock, and nothing of any other namespace.
  const api = (): ControlSurface => control.surfaceFor(requestNamespace.getStore()?.name);

  app.get('/emulator/clock', async () => {
    const { clock } = api();
    return { now: clock.now().toISOString(), offsetMs: clock.offsetMs };
  });
  app.post('/emulator/clock/advance', async (request) => {
    const body = bodyObject(request.body);
    return api().clock.advance({ duration: body.duration as string | undefined, ms: body.ms as number | undefined });
  });
  app.post('/emulator/reset', async () => api().reset());
  app.get('/emulator/journal', async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const since = q.since === undefined || q.since === '' ? undefined : Number(q.since);
    if (since !== undefined && !Number.isSafeInteger(since)) throw new ControlError(400, '"since" must be a whole number.');
    return { events: api().journal({ entity: q.entity || undefined, session: q.session || undefined, since }) };
  });
  await controlFaultRoutes(app, api);
  await controlEntityRoutes(app, api);
  if (control.namespaces !== undefined) await controlNamespaceRoutes(app, control.namespaces, () => requestNamespace.getStore()?.name);
}
