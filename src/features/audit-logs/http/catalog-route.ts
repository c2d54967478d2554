import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { currentVersion, productAreas } from '../../../catalog/catalog-registry.js';
import { ACTION_TYPES } from '../../../catalog/event-catalog.js';
import { requireUser } from '../../../http/plugins/authentication.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';

/** The catalog as the web page's filter panel reads it. */
export const CatalogSchema = Type.Object({
  productAreas: Type.Array(Type.Object({ product: Type.String(), displayName: Type.String() })),
  eventTypes: Type.Array(
    Type.Object({
      type: Type.String(),
      product: Type.String(),
      activity: Type.String(),
      action: Type.String(),
      securityAction: Type.Boolean(),
      entityType: Type.String(),
      version: Type.Integer({ minimum: 1, description: 'The newest version of the type; an event without one gets it' }),
    }),
  ),
  actionTypes: Type.Array(Type.String()),
});

/** `GET /api/v1/catalog`: product areas, event types and action types, so the filter panel names none itself. */
export function catalogRoute(app: FastifyInstance): void {
  app.get(
    '/api/v1/catalog',
    {
      schema: {
        tags: ['catalog'],
        summary: 'The event catalog: product areas, event types and action types (signed-in users)',
        security: [{ session: [] }, { bearer: [] }],
        response: { 200: CatalogSchema, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request) => {
      requireUser(request);
      return {
        productAreas: productAreas().map((area) => ({ product: area.product, displayName: area.displayName })),
        eventTypes: productAreas().flatMap((area) =>
          area.eventTypes.map((d) => ({
            type: d.type,
            product: d.product,
            activity: d.activity,
            action: d.action,
            securityAction: d.securityAction,
            entityType: d.entityType,
            version: currentVersion(d).version,
          })),
        ),
        actionTypes: [...ACTION_TYPES],
      };
    },
  );
}
