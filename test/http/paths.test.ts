import { describe, expect, it } from 'vitest';
import { canonicalizeUrl, requestPath } from '../../src/http/paths.js';

describe('canonicalizeUrl', () => {
  it.each([
    ['/q1?api-version=2021-05', '/q1?api-version=2021-05'],
    ['/a/b', '/a%2Fb'],
    ['/a/b/', '/a%2Fb'],
    ['/$namespaceinfo?x=1', '/$namespaceinfo?x=1'],
    ['/%24namespaceinfo', '/$namespaceinfo'],
    ['/$Resources/Queues?$skip=1', '/$Resources/Queues?$skip=1'],
    ['/t1/Subscriptions/', '/t1/Subscriptions/'],
    ['/t1/subscriptions', '/t1/Subscriptions/'],
    ['/a/b/Subscriptions/s1', '/a%2Fb/Subscriptions/s1'],
    ['/t1/SUBSCRIPTIONS/s1/rules/', '/t1/Subscriptions/s1/Rules/'],
    ['/a/b/Subscriptions/s1/Rules/$Default', '/a%2Fb/Subscriptions/s1/Rules/%24Default'],
    ['/health', '/health'],
    ['/emulator/ca.pem', '/emulator/ca.pem'],
    ['/bad%20name', '/bad%20name'],
    ['/', '/'],
  ])('%s -> %s', (input, out) => {
    expect(canonicalizeUrl(input)).toBe(out);
  });
});

describe('requestPath', () => {
  it('drops the leading slash and the query, and decodes', () => {
    expect(requestPath('/%24Resources/Queues?$top=1')).toBe('$Resources/Queues');
    expect(requestPath('/q1')).toBe('q1');
  });
});
