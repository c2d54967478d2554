import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { newTraceId, traceIdFromTraceparent } from '../../../core/trace-context.js';
import type { EventActor } from '../../../events/audit-event.js';
import type { AppServices } from '../../../http/app-services.js';
import { orgScope, requireOwner } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import {
  firstUndeliveredRecordedAt,
  listStreamDestinations,
  orgLastSeq,
  type StreamDestinationRow,
} from '../../../store/stream-destination-queries.js';
import { StreamDeliveryEngine } from '../delivery/stream-delivery-engine.js';
import { StreamMetrics } from '../delivery/stream-metrics.js';
import {
  changeStream,
  createStream,
  deleteStream,
  requireStream,
  type StreamCommandContext,
  type StreamCommandResult,
} from '../stream-commands.js';
import { toStreamView, type StreamProgress, type StreamView } from '../stream-destination.js';
import { sendStreamTestEvent } from '../stream-test-delivery.js';
import { NewStreamBody, OrgParams, StreamChangeBody, StreamParams, StreamSchema, TestDeliverySchema } from './stream-schemas.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };
const security: Array<Record<string, string[]>> = [{ session: [] }, { bearer: [] }];
const tags = ['streams'];

/** The owner who acts, as the actor of the stream events. */
function actorOf(request: FastifyRequest): EventActor {
  const access = requireOwner(request);
  const actor: EventActor = { id: access.user.id, name: access.user.name, email: access.user.email, type: 'user', ip: request.ip };
  const agent = request.headers['user-agent'];
  if (agent) actor.userAgent = agent.slice(0, 500);
  return actor;
}

function commandContext(request: FastifyRequest, services: AppServices): StreamCommandContext {
  const actor = actorOf(request);
  const access = requireOwner(request);
  return {
    store: services.store,
    config: services.config.streams,
    actor,
    orgId: access.org.id,
    nowMs: services.store.clock.now(),
    retentionDays: services.config.retentionDays,
    traceId: traceIdFromTraceparent(request.headers.traceparent as string | undefined) ?? newTraceId(),
  };
}

/**
 * Streams (PRODUCT.md §9): owners manage their organization's destinations under `/orgs/{orgId}/streams`, and
 * this process's delivery engine runs from the app's start to its close.
 */
export async function streamRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const { store } = services;
  const engine = new StreamDeliveryEngine(store, services.config.streams, new StreamMetrics(services.metrics, store), scope.log);
  scope.addHook('onReady', async () => engine.start());
  scope.addHook('onClose', async () => engine.stop());

  // The lag in time costs one primary-key read per destination: the first event after its cursor.
  const progressOf = async (row: StreamDestinationRow, lastSeq: number): Promise<StreamProgress> => ({
    orgLastSeq: lastSeq,
    oldestUndeliveredAtMs:
      lastSeq > Number(row.last_delivered_seq)
        ? await firstUndeliveredRecordedAt(store.dialect.readDb, row.org_id, Number(row.last_delivered_seq))
        : null,
  });
  const viewOf = async (result: StreamCommandResult): Promise<StreamView & { secret?: string }> => {
    const progress = await progressOf(result.row, await orgLastSeq(store.dialect.readDb, result.row.org_id));
    const view = toStreamView(result.row, progress, store.clock.now());
    return result.secret === undefined ? view : { ...view, secret: result.secret };
  };

  await orgScope(scope, services, (scoped) => {
    const app = scoped.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/streams',
      {
        schema: {
          tags,
          security,
          summary: "The organization's stream destinations with their delivery state",
          params: OrgParams,
          response: { 200: Type.Object({ data: Type.Array(StreamSchema) }), ...errors },
        },
      },
      async (request) => {
        const { org } = requireOwner(request);
        const [rows, lastSeq] = await Promise.all([
          listStreamDestinations(store.dialect.readDb, org.id),
          orgLastSeq(store.dialect.readDb, org.id),
        ]);
        const progress = await Promise.all(rows.map((row) => progressOf(row, lastSeq)));
        const now = store.clock.now();
        return { data: rows.map((row, i) => toStreamView(row, progress[i] ?? { orgLastSeq: lastSeq, oldestUndeliveredAtMs: null }, now)) };
      },
    );

    app.post(
      '/streams',
      {
        schema: {
          tags,
          security,
          summary: 'Add a destination; it receives the events committed from now on (a generated webhook secret is in this answer only)',
          params: OrgParams,
          body: NewStreamBody,
          response: { 201: StreamSchema, ...errors },
        },
      },
      async (request, reply) => {
        const result = await createStream(commandContext(request, services), request.body);
        engine.wake(result.row.id);
        return reply.status(201).send(await viewOf(result));
      },
    );

    app.get(
      '/streams/:streamId',
      {
        schema: {
          tags,
          security,
          summary: 'One destination and how far delivery has got',
          params: StreamParams,
          response: { 200: StreamSchema, ...errors },
        },
      },
      async (request) => {
        const { org } = requireOwner(request);
        return viewOf({ row: await requireStream(store, org.id, request.params.streamId) });
      },
    );

    app.patch(
      '/streams/:streamId',
      {
        schema: {
          tags,
          security,
          summary: 'Change, pause (enabled: false), resume (enabled: true) or rotate the secret of a destination',
          params: StreamParams,
          body: StreamChangeBody,
          response: { 200: StreamSchema, ...errors },
        },
      },
      async (request) => {
        const result = await changeStream(commandContext(request, services), request.params.streamId, request.body);
        engine.wake(result.row.id);
        return viewOf(result);
      },
    );

    app.delete(
      '/streams/:streamId',
      { schema: { tags, security, summary: 'Delete a destination', params: StreamParams, response: { 204: Type.Null(), ...errors } } },
      async (request, reply) => {
        await deleteStream(commandContext(request, services), request.params.streamId);
        engine.wake(request.params.streamId);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/streams/:streamId/test',
      {
        schema: {
          tags,
          security,
          summary: 'Send a test event to the destination now and say whether it was accepted',
          params: StreamParams,
          response: { 200: TestDeliverySchema, ...errors },
        },
      },
      async (request) => {
        const { org } = requireOwner(request);
        const row = await requireStream(store, org.id, request.params.streamId);
        return sendStreamTestEvent(store, services.config.streams, row);
      },
    );
  });
}
