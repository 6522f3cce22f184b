/**
 * Request/response nodes ($cbs, $management) answer on the client's receiver link. JS names its
 * reply link's target after reply-to; Python sends no reply-to for CBS and points its reply link's
 * source at the node itself. A reply waits for link credit if the client has not granted any yet.
 */
import { stripToPath } from './address.js';
import type { OutgoingLink } from './engine/index.js';
import { messageCodec } from './rhea.js';

export class ReplyLink {
  private readonly queue: Buffer[] = [];
  private tagSeq = 0;

  constructor(readonly link: OutgoingLink) {
    link.events = {
      onCredit: () => this.pump(),
      // Replies that went out unsettled (the client asked for that) are done when the client says so.
      onDisposition: (d) => link.settle(d, null, false),
    };
  }

  get targetAddress(): string | undefined {
    return this.link.remote.target?.address;
  }

  get node(): string {
    return stripToPath(this.link.remote.source?.address ?? '').toLowerCase();
  }

  send(response: Record<string, unknown>): void {
    this.queue.push(messageCodec.encode(response) as Buffer);
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && this.link.sendable() > 0) {
      const tag = Buffer.alloc(4);
      tag.writeUInt32BE(this.tagSeq++ >>> 0);
      // Pre-settled where the client allows it: a disposition for each response, answered by
      // nothing, sat on the socket for the kernel's delayed ACK while Nagle held the next request.
      this.link.send(this.queue.shift()!, tag, true);
    }
  }
}

/** Finds the link a response goes out on: same session first, by reply-to, then by node. */
export function findReplyLink(all: Iterable<ReplyLink>, requestLink: { session: unknown }, replyTo: string | undefined, nodePath: string): ReplyLink | undefined {
  const open = [...all].filter((r) => r.link.state === 'attached');
  const sameSession = open.filter((r) => r.link.session === requestLink.session);
  const node = nodePath.toLowerCase();
  if (replyTo !== undefined) {
    const hit = sameSession.find((r) => r.targetAddress === replyTo);
    if (hit) return hit;
  }
  const byNode = sameSession.find((r) => r.node === node);
  if (byNode && replyTo === undefined) return byNode;
  if (replyTo !== undefined) {
    const hit = open.find((r) => r.targetAddress === replyTo) ?? open.find((r) => r.link.name === replyTo);
    if (hit) return hit;
  }
  return byNode ?? open.find((r) => r.node === node);
}
