import { describe, expect, it } from 'vitest';
import { entityName, listQuerySchema, paramsSchema } from '../../src/http/routes/common.js';
import { compileRouteSchema } from '../../src/http/routeValidator.js';

type Result = { value?: Record<string, unknown>; error?: Error & { validation: Array<{ instancePath: string; keyword: string }> } };
const compile = (schema: object, httpPart: string) =>
  compileRouteSchema({ schema, httpPart, method: 'GET', url: '/x' } as never) as unknown as (data: unknown) => Result;

describe('route schema validator (in place of ajv)', () => {
  const query = compile(listQuerySchema, 'querystring');
  const params = compile(paramsSchema({ queue: entityName }), 'params');

  it('coerces query-string integers and booleans in place, as fastify with ajv did', () => {
    expect(query({ $skip: '5', $top: '10', enrich: 'true', 'api-version': '2021-05' }).value).toEqual({
      $skip: 5,
      $top: 10,
      enrich: true,
      'api-version': '2021-05',
    });
    expect(query(null).value).toEqual({});
  });

  it('reports the first failure as ajv did, with the part and the path', () => {
    const negative = query({ $top: '-1' }).error!;
    expect(negative.message).toBe('querystring/$top must be >= 0');
    expect(negative.validation[0]).toMatchObject({ instancePath: '/$top', keyword: 'minimum' });
    expect(query({ $skip: 'x' }).error!.message).toBe('querystring/$skip must be integer');
    expect(query({ enrich: 'maybe' }).error!.message).toBe('querystring/enrich must be boolean');
    expect(query({ 'api-version': 'v'.repeat(33) }).error!.validation[0]!.keyword).toBe('maxLength');
  });

  it('checks names by pattern and length, counting code points', () => {
    expect(params({ queue: 'orders.v1/sub_q' }).value).toEqual({ queue: 'orders.v1/sub_q' });
    expect(params({ queue: '-starts-with-hyphen' }).error!.validation[0]).toMatchObject({ instancePath: '/queue', keyword: 'pattern' });
    expect(params({ queue: 'a'.repeat(261) }).error!.validation[0]!.keyword).toBe('maxLength');
    expect(params({}).error!.validation[0]!.keyword).toBe('required');
  });

  it('refuses a schema keyword it does not implement, rather than ignoring it', () => {
    expect(() => compile({ type: 'object', properties: { a: { type: 'string', format: 'uri' } } }, 'querystring')).toThrow(/format/);
  });
});
