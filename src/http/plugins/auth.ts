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
import { HttpError } from '../errors.js';
import { requestPath } from '../paths.js';

export const authPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      const { auth, now } = app.admin;
      const header = request.headers.authorization;
      if (header === undefined || header.trim() === '') {
        throw new HttpError(401, 'MissingToken: The request has no Authorization header with a SharedAccessSignature token.');
      }
      if (/^Bearer\s/i.test(header)) {
        if (auth.acceptJwt) return;
        throw new HttpError(401, 'InvalidToken: Bearer tokens are not accepted by this emulator; use a SharedAccessSignature token.');
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
  },
  { name: 'sbemu-sas-auth' },
);
