/**
 * `GET /$namespaceinfo`, and `GET /` as Azure answers it: NamespaceInfo
 * (serializers/namespaceResourceSerializer.js in the JS SDK).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { baseOf, entryXml } from '../atom.js';
import { isoTime } from '../serializers/common.js';
import { ATTR, NS_SB, NS_XSI, type XmlObject } from '../xml.js';
import { entityQuerySchema, entryResponses, sendEntry } from './common.js';

export default async function namespaceRoutes(app: FastifyInstance): Promise<void> {
  const answer = async (request: FastifyRequest, reply: FastifyReply) => {
    const base = baseOf(request);
    // The namespace is named after the host the client used, e.g. `localhost`.
    const name = base.hostname.split('.')[0] || 'localhost';
    const started = isoTime(app.admin.startedAt);
    const sku = app.admin.broker.sku;
    const description: XmlObject = {
      [`${ATTR}xmlns`]: NS_SB,
      [`${ATTR}xmlns:i`]: NS_XSI,
      CreatedTime: started,
      MessagingSKU: sku,
      ModifiedTime: started,
      Name: name,
      NamespaceType: 'Messaging',
    };
    // The JS SDK reads MessagingUnits only on Premium, and requires it there.
    if (sku === 'Premium') description.MessagingUnits = '1';
    return sendEntry(
      reply,
      200,
      entryXml(base, { path: '$namespaceinfo', title: name, root: 'NamespaceInfo', createdAt: app.admin.startedAt, description }),
    );
  };
  const options = { schema: { querystring: entityQuerySchema, response: entryResponses(200) } };
  app.get('/$namespaceinfo', options, answer);
  app.get('/', options, answer);
}
