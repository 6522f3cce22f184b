/**
 * SAS authorization of the admin API. Registered inside the scope of the
 * ATOM routes, so /health and /emulator/ca.pem stay open.
 *
 * - `SharedAccessSignature …`: validated with src/auth/sas.ts (signature, expiry, key name); the
 *   key needs the Manage right, and the token's audience must cover the request path (the JS SDK
 *   signs the full request URL, Python the namespace, both fine).
 * - `Bearer …` (Entra ID): accepted when AuthConfig.acceptJwt, since the emulator cannot check it.
 * - Anything else, or nothing: 401, which the JS SDK reports as UnauthorizedRequestError.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { audienceCovers, validateSasToken } from '../../auth/sas.js';
import { tokenKeyName, type NamespaceBinding } from '../../auth/namespace.js';
import { requestNamespace } from '../context.js';
import { HttpError } from '../errors.js';
import { requestPath } from '../paths.js';

export const authPlugin = fp(
  async (app: FastifyInstance) => {
    // The namespace a token's key name chose, for the rest of its request (src/http/context.ts).
    const chosen = new WeakMap<object, NamespaceBinding>();
    app.addHook('onRequest', async (request) => {
      const { now } = app.admin;
      let { auth } = app.admin;
      const header = request.headers.authorization;
      if (header === undefined || header.trim() === '') {
        throw new HttpError(401, 'MissingToken: The request has no Authorization header with a SharedAccessSignature token.');
      }
      if (/^Bearer\s/i.test(header)) {
        if (auth.acceptJwt) return;
        throw new HttpError(401, 'InvalidToken: Bearer tokens are not accepted by this emulator; use a SharedAccessSignature token.');
      }
      const keyName = tokenKeyName(header);
      const namespace = keyName === undefined ? undefined : app.admin.namespaceFor?.(keyName);
      if (namespace !== undefined) {
        auth = namespace.auth;
        chosen.set(request, namespace);
      }
      const result = validateSasToken(header, auth, now());
      if (!result.ok) throw new HttpError(401, `InvalidSignature: ${result.reason}`);
      if (!result.rights.includes('Manage')) {
        throw new HttpError(401, `Unauthorized: the key '${result.keyName}' lacks the Manage right needed for management operations.`);
      }
      const path = requestPath(request.originalUrl);
      if (!audienceCovers(result.audience, path)) {
        throw new HttpError(401, `InvalidAudience: the token for '${result.audience}' does not cover '/${path}'.`);
      }
    });
    app.addHook('onRequest', (request, _reply, done) => {
      const namespace = chosen.get(request);
      if (namespace === undefined) return done();
      requestNamespace.run(namespace, done);
    });
  },
  { name: 'sbemu-sas-auth' },
);
