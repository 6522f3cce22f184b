/**
 * Request bodies: whatever the content type (the SDKs send `application/atom+xml;type=entry;…`,
 * curl users send anything), the body is read as text up to the app's bodyLimit and parsed as
 * XML; `request.body` is the parsed tree (see xml.ts). Malformed XML is a 400 here, before routing
 * reaches a handler.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { parseXml } from '../xml.js';

export const xmlBodyPlugin = fp(
  async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, parseXml(text));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
  },
  { name: 'sbemu-xml-body' },
);
