import { errorMessage } from '../../../lib/api-client.js';
import type { AuditEvent } from '../../../lib/api-types.js';
import { useEventProof } from '../api/get-event-proof.js';

/**
 * The details panel's "Integrity" line: whether this browser could prove the event is in the organization's
 * signed log. Said in words inside one polite status region (a mark and a colour only repeat the words), so a
 * screen reader hears each change: checking, not yet in a checkpoint, proven, or why the proof fails.
 */
export function ProofStatus({ orgId, record }: { orgId: string; record: AuditEvent }) {
  const proof = useEventProof(orgId, record);
  const state = proof.data;
  let kind: 'checking' | 'pending' | 'proven' | 'failed' | 'error';
  let content;
  if (state?.kind === 'proven') {
    kind = 'proven';
    content = (
      <>
        <p className="proof-title">
          Included in checkpoint #{state.treeSize}, signed by {state.keyName}
        </p>
        <p className="small muted">
          Checked in this browser: the record’s leaf hash, its inclusion in the tree of {state.treeSize} events and the checkpoint’s Ed25519
          signature by key <code>{state.keyId}</code>.
        </p>
      </>
    );
  } else if (state?.kind === 'failed') {
    kind = 'failed';
    content = (
      <>
        <p className="proof-title">Not proven: the proof does not verify</p>
        <p className="small">{state.reason}.</p>
      </>
    );
  } else if (state?.kind === 'pending') {
    kind = 'pending';
    content = (
      <>
        <p className="proof-title">Not yet in a checkpoint</p>
        <p className="small muted">New events are signed into a checkpoint within seconds; checking again shortly.</p>
      </>
    );
  } else if (proof.isError) {
    kind = 'error';
    content = (
      <>
        <p className="proof-title">The proof could not be checked</p>
        <p className="small">
          {errorMessage(proof.error)}{' '}
          <button type="button" className="link-button" onClick={() => void proof.refetch()}>
            Try again
          </button>
        </p>
      </>
    );
  } else {
    kind = 'checking';
    content = <p className="proof-title">Checking the proof…</p>;
  }
  return (
    <section aria-labelledby="proof-heading">
      <h3 id="proof-heading" className="section-title">
        Integrity
      </h3>
      <div className={`proof-status proof-${kind}`} role="status" aria-live="polite" data-testid="proof-status" data-proof={kind}>
        <span className="proof-mark" aria-hidden="true">
          {kind === 'proven' ? '✓' : kind === 'failed' ? '✗' : kind === 'error' ? '!' : '…'}
        </span>
        <div>{content}</div>
      </div>
    </section>
  );
}
