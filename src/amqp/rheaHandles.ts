/**
 * Link handles on the emulator's sessions, patched in rhea 3.0.5 until the planned rewrite
 * replaces rhea's server engine. rhea writes no handle-max in begin (null, which pyamqp before
 * 7.15 cannot read, src/amqp/limits.ts) and accepts any handle; announce a bound and hold
 * clients to it.
 */
import { createRequire } from 'node:module';
import { HANDLE_MAX } from './limits.js';

const require = createRequire(import.meta.url);

interface Session {
  connection: { is_server?: boolean };
  local: { begin: { handle_max?: number } };
  on_begin(this: Session, frame: unknown): void;
  on_attach(this: Session, frame: { performative: { handle: number } }): void;
}

export function patchHandles(): void {
  const Session = require('rhea/lib/session.js') as { prototype: Session };
  const { ProtocolError } = require('rhea/lib/errors.js') as { ProtocolError: new (m: string) => Error & { condition?: string } };

  const onBegin = Session.prototype.on_begin;
  Session.prototype.on_begin = function (frame) {
    // Our begin is written on a later tick, after this.
    if (this.connection.is_server === true) this.local.begin.handle_max = HANDLE_MAX;
    onBegin.call(this, frame);
  };

  const onAttach = Session.prototype.on_attach;
  Session.prototype.on_attach = function (frame) {
    const handle = frame.performative.handle;
    if (this.connection.is_server === true && handle > HANDLE_MAX) {
      // AMQP 1.0 §2.7.2 (begin, handle-max): close the connection with framing-error. rhea turns
      // a ProtocolError thrown while reading into that close (closeWithError in rhea.ts).
      const e = new ProtocolError(`link handle ${handle} is above the handle-max ${HANDLE_MAX} of this session`);
      e.condition = 'amqp:connection:framing-error';
      throw e;
    }
    onAttach.call(this, frame);
  };
}
