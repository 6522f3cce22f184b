/** `GET /$namespaceinfo`: NamespaceInfo (serializers/namespaceResourceSerializer.js in the JS SDK). */
import type { FastifyInstance } from 'fastify';
import { baseOf, entryXml } from '../atom.js';
import { isoTime } from '../serializers/common.js';
import { ATTR, NS_SB, NS_XSI } from '../xml.js';
import { entityQuerySchema, entryResponses, sendEntry } from './common.js';

export default async function namespaceRoutes(app: FastifyInstance): Promise<void> {
  app.get('/$namespaceinfo', { schema: { querystring: entityQuerySchema, response: entryResponses(200) } }, async (request, reply) => {
    const base = baseOf(request);
    // The namespace is named after the host the client used, e.g. `localhost`.
    const name = base.hostname.split('.')[0] || 'localhost';
    const started = isoTime(app.admin.startedAt);
    return sendEntry(
      reply,
      200,
      entryXml(base, {
        path: '$namespaceinfo',
        title: name,
        root: 'NamespaceInfo',
        createdAt: app.admin.startedAt,
        description: {
          [`${ATTR}xmlns`]: NS_SB,
          [`${ATTR}xmlns:i`]: NS_XSI,
          CreatedTime: started,
          MessagingSKU: 'Standard',
          ModifiedTime: started,
          Name: name,
          NamespaceType: 'Messaging',
        },
      }),
    );
  });
}
