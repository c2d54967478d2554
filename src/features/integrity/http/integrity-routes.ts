import type { FastifyInstance } from 'fastify';
import { AttestError } from '../../../core/errors.js';
import { isUuid } from '../../../core/ids.js';
import { toHex } from '../../../integrity/bytes.js';
import { consistencyProof } from '../../../integrity/consistency-proof.js';
import { inclusionProof } from '../../../integrity/inclusion-proof.js';
import type { AppServices } from '../../../http/app-services.js';
import { orgScope, requireOwner } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import type { StoredCheckpoint } from '../../../store/merkle-tree-store.js';
import { nodeMerkleHasher } from '../../../core/node-merkle-hasher.js';
import { storedSubtrees } from '../../../store/stored-subtrees.js';
import {
  ConsistencyProofSchema,
  ConsistencyQuerySchema,
  InclusionProofSchema,
  LogKeysSchema,
  ProofParamsSchema,
  ProofQuerySchema,
} from './integrity-schemas.js';

const ownerErrors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };
const security: Array<Record<string, string[]>> = [{ session: [] }, { bearer: [] }];
const tags = ['integrity'];

/**
 * The proof API of PRODUCT.md §8: the published verifier keys (public), and inside the owner-only organization
 * scope the latest signed checkpoint, an event's inclusion proof and a consistency proof between two
 * checkpoints. Proofs are read from the stored tree, never recomputed from the log.
 */
export async function integrityRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  const trees = services.store.merkleTrees;

  app.get(
    '/api/v1/log-keys',
    { schema: { tags, summary: 'The verifier keys of the log, newest first', response: { 200: LogKeysSchema } } },
    async () => ({
      keys: (await trees.keys()).map((key) => ({
        vkey: key.vkey,
        validFrom: new Date(key.validFrom).toISOString(),
        validUntil: key.validUntil === null ? null : new Date(key.validUntil).toISOString(),
      })),
    }),
  );

  await orgScope(app, services, (scoped) => {
    scoped.get(
      '/audit-logs/checkpoint',
      {
        schema: {
          tags,
          summary: 'The latest signed checkpoint of the organization’s log (C2SP signed note)',
          security,
          response: { 200: { content: { 'text/plain': { schema: { type: 'string' } } } }, ...ownerErrors },
        },
      },
      async (request, reply) => {
        const access = requireOwner(request);
        const checkpoint = await trees.latestCheckpoint(access.org.id);
        if (!checkpoint)
          throw new AttestError(
            'CHECKPOINT_NOT_FOUND',
            'The log has no signed checkpoint yet: it has no events, or the first is being checkpointed.',
          );
        return reply.type('text/plain; charset=utf-8').send(checkpoint.note);
      },
    );

    scoped.get(
      '/audit-logs/consistency',
      {
        schema: {
          tags,
          summary: 'An RFC 9162 consistency proof between two checkpointed tree sizes',
          security,
          querystring: ConsistencyQuerySchema,
          response: { 200: ConsistencyProofSchema, ...ownerErrors },
        },
      },
      async (request) => {
        const access = requireOwner(request);
        const { from, to } = request.query as { from: number; to: number };
        if (from > to)
          throw new AttestError('INVALID_TREE_SIZE', `A log only grows: from (${from}) may not be larger than to (${to}).`, [
            { field: 'from', reason: 'must not be larger than to' },
          ]);
        await checkpointOfSize(services, access.org.id, from, 'from');
        await checkpointOfSize(services, access.org.id, to, 'to');
        const hashes = await consistencyProof(from, to, storedSubtrees(services.store, access.org.id), nodeMerkleHasher);
        return { from, to, hashes: hashes.map(toHex) };
      },
    );

    scoped.get(
      '/audit-logs/:logId/proof',
      {
        schema: {
          tags,
          summary: 'An RFC 9162 inclusion proof of one event in a signed checkpoint',
          security,
          params: ProofParamsSchema,
          querystring: ProofQuerySchema,
          response: { 200: InclusionProofSchema, ...ownerErrors },
        },
      },
      async (request) => {
        const access = requireOwner(request);
        const { logId } = request.params as { logId: string };
        const { treeSize } = request.query as { treeSize?: number };
        const event = isUuid(logId) ? await services.store.events.findStoredByLogId(access.org.id, logId) : undefined;
        if (!event) throw new AttestError('EVENT_NOT_FOUND', `No audit event ${logId} in this organization.`);
        const checkpoint =
          treeSize === undefined
            ? await trees.latestCheckpoint(access.org.id)
            : await checkpointOfSize(services, access.org.id, treeSize, 'treeSize');
        if (!checkpoint) throw new AttestError('CHECKPOINT_NOT_FOUND', 'The log has no signed checkpoint yet; try again in a moment.');
        const seq = Number(event.seq);
        if (seq >= checkpoint.treeSize) {
          throw new AttestError(
            'INVALID_TREE_SIZE',
            `Event ${seq} is not in the tree of ${checkpoint.treeSize} events; ask for a later checkpoint.`,
            [{ field: 'treeSize', reason: `must be more than the event's seq ${seq}` }],
          );
        }
        const hashes = await inclusionProof(seq, checkpoint.treeSize, storedSubtrees(services.store, access.org.id), nodeMerkleHasher);
        return { seq, leafHash: event.leaf_hash, treeSize: checkpoint.treeSize, hashes: hashes.map(toHex), checkpoint: checkpoint.note };
      },
    );
  });
}

async function checkpointOfSize(services: AppServices, orgId: string, treeSize: number, field: string): Promise<StoredCheckpoint> {
  const checkpoint = await services.store.merkleTrees.checkpointOfSize(orgId, treeSize);
  if (!checkpoint)
    throw new AttestError('CHECKPOINT_NOT_FOUND', `No signed checkpoint of ${treeSize} events.`, [
      { field, reason: 'is not the size of a signed checkpoint' },
    ]);
  return checkpoint;
}
