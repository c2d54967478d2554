import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../app-services.js';

/** The owner API over the audit log: query, one event, actors, export and the live stream. */
export async function auditLogRoutes(_app: FastifyInstance, _services: AppServices): Promise<void> {}
