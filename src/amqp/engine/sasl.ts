/**
 * The server side of SASL (AMQP 1.0 section 5.3): offer the mechanisms, take one sasl-init, answer
 * with an outcome. ANONYMOUS and MSSBCBS (what .NET offers) let the client in to authenticate
 * with CBS tokens; PLAIN checks the credentials with the policy the listener gives.
 */
import type { Connection } from './connection.js';
import * as W from './frameWriter.js';
import { FramingError, P, bufferField, stringField, type Performative } from './performatives.js';

const OK = 0;
const AUTH = 1;

export class SaslServer {
  done = false;
  /** The PLAIN user name the connection authenticated as, if any. */
  user?: string;
  mechanism?: string;

  constructor(private readonly connection: Connection) {}

  /** Whether a client may skip SASL (a plain AMQP header), as with ANONYMOUS. */
  allowsNone(): boolean {
    return this.connection.options.sasl.mechanisms.includes('ANONYMOUS');
  }

  start(): void {
    if (this.done) throw new FramingError('a second SASL exchange');
    W.saslMechanisms(this.connection.out, this.connection.options.sasl.mechanisms);
    this.connection.scheduleFlush();
  }

  onFrame(p: Performative): void {
    if (p.code !== P.saslInit) throw new FramingError(`unexpected SASL frame 0x${p.code.toString(16)}`);
    const mechanism = stringField(p, 0, 'sasl-init', 'mechanism') ?? '';
    const policy = this.connection.options.sasl;
    let ok = policy.mechanisms.includes(mechanism);
    if (ok && mechanism === 'PLAIN') {
      // RFC 4616: [authzid] NUL authcid NUL passwd
      const parts = (bufferField(p, 1) ?? Buffer.alloc(0)).toString('utf8').split('\0');
      const user = parts.length >= 3 ? parts[1]! : '';
      const password = parts.length >= 3 ? parts[2]! : '';
      ok = policy.plain ? policy.plain(user, password, this.connection) : true;
      if (ok) this.user = user;
    }
    W.saslOutcome(this.connection.out, ok ? OK : AUTH);
    this.connection.scheduleFlush();
    if (!ok) {
      this.connection.log.info({ mechanism }, 'SASL authentication refused');
      this.connection.fail(new FramingError(`SASL ${mechanism} refused`, 'amqp:unauthorized-access'));
      return;
    }
    this.mechanism = mechanism;
    this.done = true;
    this.connection.saslDone();
  }
}
