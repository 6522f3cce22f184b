/**
 * The `$cbs` node: clients put a token before attaching links; the grant it carries is what
 * later authorizes those links.
 */
import type { AuthConfig } from '../auth/types.js';
import { validateSasToken } from '../auth/sas.js';
import type { ConnectionContext } from './connectionContext.js';
import { types } from './rhea.js';

export interface CbsReply {
  statusCode: number;
  description: string;
  condition?: string;
}

const JWT_DEFAULT_LIFETIME_MS = 3_600_000;

/** The keys a token is checked with, and how to bind the connection to their namespace. */
export interface CbsTarget {
  auth: AuthConfig;
  /** Called before the grant is added, only when the token is accepted. */
  accepted(): void;
}

export function handlePutToken(
  conn: ConnectionContext,
  targetFor: (token: string) => CbsTarget,
  now: number,
  request: { application_properties?: Record<string, unknown>; body?: unknown },
): CbsReply {
  const props = request.application_properties ?? {};
  if (props.operation !== 'put-token') {
    return { statusCode: 400, description: `Unsupported CBS operation '${String(props.operation)}'.`, condition: 'com.microsoft:argument-error' };
  }
  const tokenType = String(props.type ?? '');
  const audience = typeof props.name === 'string' ? props.name : '';
  const token = typeof request.body === 'string' ? request.body : Buffer.isBuffer(request.body) ? request.body.toString('utf8') : undefined;
  if (!token) return { statusCode: 400, description: 'The put-token request carries no token.', condition: 'com.microsoft:argument-error' };

  const { auth, accepted } = targetFor(token);
  // Python's SDK labels its SAS tokens `jwt`; what the token is decides how it is checked.
  if (tokenType === 'jwt' && !token.startsWith('SharedAccessSignature ')) {
    if (!auth.acceptJwt) return { statusCode: 401, description: 'JWT tokens are not accepted by this emulator.', condition: 'amqp:unauthorized-access' };
    const exp = props.expiration instanceof Date ? props.expiration.getTime() : now + JWT_DEFAULT_LIFETIME_MS;
    accepted();
    conn.addGrant({ audience, expiresAtMs: exp, rights: ['Manage', 'Send', 'Listen'] });
    return { statusCode: 202, description: 'Accepted' };
  }
  const result = validateSasToken(token, auth, now);
  if (!result.ok) {
    conn.log.debug({ audience, reason: result.reason }, 'cbs token refused');
    return { statusCode: 401, description: `InvalidSignature: ${result.reason}`, condition: 'amqp:unauthorized-access' };
  }
  accepted();
  // The token's own resource is what it grants; `name` only says which link it is meant for.
  conn.addGrant({ audience: result.audience, expiresAtMs: result.expiresAtMs, rights: result.rights });
  conn.log.debug({ audience: result.audience, keyName: result.keyName }, 'cbs token accepted');
  return { statusCode: 202, description: 'Accepted' };
}

/** The response's application properties; reply() in requestLinks.ts adds the correlation-id. */
export function cbsResponse(reply: CbsReply) {
  const application_properties: Record<string, unknown> = {
    'status-code': types.wrap_int(reply.statusCode),
    'status-description': reply.description,
  };
  if (reply.condition) application_properties['error-condition'] = reply.condition;
  return { application_properties } as Record<string, unknown>;
}
