/**
 * Routing responses of request/response nodes ($cbs, $management) back to the client's receiver
 * link. JS names its reply link after reply-to; Python sends no reply-to for CBS and points its
 * reply link's target at the node itself (PROTOCOL.md §9.1).
 */
import { stripToPath } from './address.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Link = any;

const addressOf = (terminus: any): string | undefined =>
  terminus && typeof terminus.address === 'string' ? terminus.address : undefined;

function sendersOf(session: any): Link[] {
  return Object.values(session.links ?? {}).filter((l: any) => l.is_sender() && !l.is_closed());
}

export function findReplyLink(requestLink: Link, replyTo: string | undefined, nodePath: string): Link | undefined {
  const session = requestLink.session;
  const connection = requestLink.connection;
  const sameSession = sendersOf(session);
  const node = nodePath.toLowerCase();
  if (replyTo !== undefined) {
    const hit = sameSession.find((l) => addressOf(l.remote.attach?.target) === replyTo);
    if (hit) return hit;
  }
  const byNode = sameSession.find((l) => stripToPath(addressOf(l.remote.attach?.source) ?? '').toLowerCase() === node);
  if (byNode && replyTo === undefined) return byNode;
  const all: Link[] = Object.values(connection.local_channel_map ?? {}).flatMap((s: any) => sendersOf(s));
  if (replyTo !== undefined) {
    const hit = all.find((l) => addressOf(l.remote.attach?.target) === replyTo) ?? all.find((l) => l.name === replyTo);
    if (hit) return hit;
  }
  return byNode ?? all.find((l) => stripToPath(addressOf(l.remote.attach?.source) ?? '').toLowerCase() === node);
}
