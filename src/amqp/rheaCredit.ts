/**
 * Link credit on the emulator's sending links (the client's receivers), patched in rhea 3.0.5
 * until the planned rewrite replaces rhea's server engine.
 *
 * AMQP 1.0 §2.6.7: credit = delivery-count(receiver) + link-credit(receiver) - delivery-count(sender).
 * A receiver that has not yet seen the transfers in flight reports a delivery-count behind ours,
 * so the difference can be negative: pyamqp 7.15 drains with link-credit 0 when it closes a
 * receiver, right after a redelivery. rhea keeps the negative number, and its drain loop
 * `while (this.credit) { ++delivery_count; --credit }` then never ends: one client froze the
 * whole process (no other connection, no /health, not even SIGTERM).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Flow {
  delivery_count?: number | null;
  link_credit?: number | null;
}
interface SenderLink {
  delivery_count: number;
  credit: number;
  _draining: boolean;
  _drained: boolean;
}

export function patchCredit(): void {
  const { Sender } = require('rhea/lib/link.js') as {
    Sender: { prototype: { on_flow(this: SenderLink, frame: { performative: Flow }): void; _get_drain(this: SenderLink): boolean } };
  };
  const onFlow = Sender.prototype.on_flow;
  Sender.prototype.on_flow = function (frame) {
    const flow = frame.performative;
    // A receiver behind us has no credit, not negative credit. Adjusting the frame before rhea
    // reads it means no handler rhea calls from on_flow ever sees a negative number.
    const behind = this.delivery_count - ((flow.delivery_count ?? 0) + (flow.link_credit ?? 0));
    if (behind > 0) flow.link_credit = (flow.link_credit ?? 0) + behind;
    onFlow.call(this, frame);
  };
  // Consumes whatever credit is left and answers the drain even when none is: the receiver asked
  // to drain and waits for a flow saying drain=true (rhea only said it when credit was left, so a
  // receiver whose last credit was used by a transfer in flight never heard back).
  Sender.prototype._get_drain = function () {
    if (!this._draining || !this._drained) return false;
    if (this.credit > 0) {
      this.delivery_count += this.credit;
      this.credit = 0;
    }
    return true;
  };
}
