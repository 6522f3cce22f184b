/**
 * Requests that ask to upgrade to something we do not speak (h2c, a WebSocket to another path),
 * served as the plain HTTP/1.1 requests they also are, as RFC 9110 lets a server ignore Upgrade.
 * Java's default HttpClient asks every plain-http request to upgrade to h2c, bodies included, so a
 * POST with a body must reach the app whole. Node stops parsing the socket once it hands over an
 * upgrade, so the body (what came with the headers, then the rest by Content-Length) is read here
 * and given to the app as a request of its own. One response, then the connection closes.
 */
import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Far above the admin app's own body limit (which answers 413 itself), so only a hostile length stops here. */
const MAX_UPGRADE_BODY = 1024 * 1024;
/** Node's own requestTimeout for the requests it parses, which an upgraded socket no longer has. */
export const UPGRADE_BODY_TIMEOUT_MS = 300_000;

export function serveUpgradeAsRequest(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  handler: http.RequestListener,
  bodyTimeoutMs = UPGRADE_BODY_TIMEOUT_MS,
): void {
  const length = Number(req.headers['content-length'] ?? 0);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && Number.isSafeInteger(length) && length === 0 && head.length === 0) return respond(req, socket, handler);
  if (chunked || !Number.isSafeInteger(length) || length < 0) return refuse(req, socket, 400, 'An upgrade request with a body needs a Content-Length here.\n');
  if (length > MAX_UPGRADE_BODY) return refuse(req, socket, 413, 'The request body is too large.\n');

  const body = new http.IncomingMessage(socket as Socket);
  Object.assign(body, {
    method: req.method,
    url: req.url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
  });
  let remaining = length;
  let timer: NodeJS.Timeout | undefined;
  const take = (chunk: Buffer): void => {
    if (remaining === 0) return;
    const part = chunk.subarray(0, remaining);
    remaining -= part.length;
    body.push(part);
    if (remaining === 0) {
      clearTimeout(timer);
      socket.off('data', take);
      body.complete = true;
      body.push(null);
    }
  };
  take(head);
  if (remaining > 0) {
    socket.on('data', take);
    // A client that stops sending must not hold the socket for ever: after the timeout it is
    // closed, and the app sees an aborted body.
    timer = setTimeout(() => socket.destroy(), bodyTimeoutMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      if (remaining > 0) body.destroy();
    });
  }
  respond(body, socket, handler);
}

function response(req: IncomingMessage, socket: Duplex): http.ServerResponse {
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  return res;
}

function respond(req: IncomingMessage, socket: Duplex, handler: http.RequestListener): void {
  handler(req, response(req, socket));
}

function refuse(req: IncomingMessage, socket: Duplex, status: number, text: string): void {
  response(req, socket).writeHead(status, { 'content-type': 'text/plain' }).end(text);
}
