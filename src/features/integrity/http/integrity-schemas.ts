import { Type } from '@sinclair/typebox';

const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 hash, lowercase hex' });

/** `GET /log-keys`: the verifier keys, newest first (PRODUCT.md §8). */
export const LogKeysSchema = Type.Object({
  keys: Type.Array(
    Type.Object({
      vkey: Type.String({ description: '<name>+<hex key ID>+<base64(0x01 ‖ Ed25519 public key)>' }),
      validFrom: Type.String({ format: 'date-time' }),
      validUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
});

export const ProofParamsSchema = Type.Object({ orgId: Type.String(), logId: Type.String({ maxLength: 100 }) });
export const ProofQuerySchema = Type.Object({
  treeSize: Type.Optional(Type.Integer({ minimum: 1, description: "a checkpointed tree size; default the latest checkpoint's" })),
});

/** An RFC 9162 inclusion proof of one event and the signed checkpoint it leads to. */
export const InclusionProofSchema = Type.Object({
  seq: Type.Integer(),
  leafHash: Hex32,
  treeSize: Type.Integer(),
  hashes: Type.Array(Hex32, { description: 'the RFC 9162 inclusion path, the leaf’s sibling first' }),
  checkpoint: Type.String({ description: 'the signed note of that tree size' }),
});

export const ConsistencyQuerySchema = Type.Object({
  from: Type.Integer({ minimum: 1, description: 'a checkpointed tree size' }),
  to: Type.Integer({ minimum: 1, description: 'a checkpointed tree size, at least from' }),
});

/** An RFC 9162 consistency proof between two checkpointed tree sizes. */
export const ConsistencyProofSchema = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  hashes: Type.Array(Hex32),
});
