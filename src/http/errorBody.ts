/**
 * The Service Bus error document `<Error><Code>404</Code><Detail>…</Detail></Error>`, apart from
 * src/http/errors.ts (which needs fastify) so the admin port's own answers (dualPort.ts,
 * lazyApp.ts) carry it without loading the admin app.
 */
import { randomUUID } from 'node:crypto';

export const ERROR_CONTENT_TYPE = 'application/xml; charset=utf-8';

const escapeXml = (s: string): string => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);

/** The Service Bus error document, with a tracking id and timestamp as Azure appends them. */
export function errorXml(status: number, detail: string, trackingId: string = randomUUID(), now = new Date()): string {
  const full = `${detail} TrackingId:${trackingId}, Timestamp:${now.toISOString()}`;
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${status}</Code><Detail>${escapeXml(full)}</Detail></Error>`;
}
