import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';

/**
 * A validator compiler for request bodies that must arrive with the right JSON types: Ajv as the shared layer
 * configures it (every error reported, unknown fields kept so they are refused), but without type coercion.
 * The shared compiler coerces (`coerceTypes: 'array'`) because query strings only carry text; on a body it
 * would turn `"type": ["x"]` into `"x"` and `"id": 42` into `"42"`, accepting what the producer did not send.
 *
 * @example
 * app.post('/api/v1/events', { schema: { body }, validatorCompiler: strictBodyValidatorCompiler(app) }, handler);
 */
export function strictBodyValidatorCompiler(app: FastifyInstance): FastifySchemaCompiler<unknown> {
  const buildFromPool = AjvCompiler();
  type SharedSchemas = Parameters<typeof buildFromPool>[0];
  const build = buildFromPool(app.getSchemas() as SharedSchemas, {
    customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false, useDefaults: true },
  });
  type RouteDefinition = Parameters<typeof build>[0];
  return (route) => build(route as RouteDefinition) as ReturnType<FastifySchemaCompiler<unknown>>;
}
