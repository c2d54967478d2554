import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../http/app-services.js';

/** The User Management REST API under `/api/v1/orgs/{orgId}/…`. */
export async function userManagementRoutes(_app: FastifyInstance, _services: AppServices): Promise<void> {}
