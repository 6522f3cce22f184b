/** Request bodies shaped like the SDK's (serializeToAtomXmlRequest + @azure/core-xml stringifyXML). */
export const NS_SB = 'http://schemas.microsoft.com/netservices/2010/10/servicebus/connect';
export const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const ATOM_CT = { 'content-type': 'application/atom+xml;type=entry;charset=utf-8' };

export const elements = (o: Record<string, string | number | boolean>): string =>
  Object.entries(o)
    .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
    .join('');

export const entry = (root: string, inner: string): string =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><entry xmlns="http://www.w3.org/2005/Atom"><updated>2025-01-01T00:00:00.000Z</updated>` +
  `<content type="application/xml"><${root} xmlns="${NS_SB}" xmlns:i="${NS_XSI}">${inner}</${root}></content></entry>`;

export const queueBody = (o: Record<string, string | number | boolean> = {}): string => entry('QueueDescription', elements(o));
export const topicBody = (o: Record<string, string | number | boolean> = {}): string => entry('TopicDescription', elements(o));
export const subscriptionBody = (o: Record<string, string | number | boolean> = {}, extra = ''): string =>
  entry('SubscriptionDescription', elements(o) + extra);

/** A KeyValueOfstringanyType the way the JS SDK writes it (buildInternalRawKeyValuePairs). */
export const kv = (key: string, type: string, value: string): string =>
  `<KeyValueOfstringanyType><Key>${key}</Key><Value p4:type="l28:${type}" xmlns:l28="http://www.w3.org/2001/XMLSchema">${value}</Value></KeyValueOfstringanyType>`;

const p4 = `xmlns:p4="${NS_XSI}"`;
export const sqlFilter = (expr: string, params = ''): string =>
  `<Filter p4:type="SqlFilter" ${p4}><SqlExpression>${expr}</SqlExpression>${params ? `<Parameters>${params}</Parameters>` : ''}</Filter>`;
export const correlationFilter = (fields: Record<string, string>, props = ''): string =>
  `<Filter p4:type="CorrelationFilter" ${p4}>${elements(fields)}${props ? `<Properties>${props}</Properties>` : ''}</Filter>`;
export const emptyAction = `<Action p4:type="EmptyRuleAction" ${p4}/>`;
export const sqlAction = (expr: string): string => `<Action p4:type="SqlRuleAction" ${p4}><SqlExpression>${expr}</SqlExpression></Action>`;
export const ruleBody = (filter: string, action = emptyAction, name?: string): string =>
  entry('RuleDescription', `${filter}${action}${name ? `<Name>${name}</Name>` : ''}`);
