/** The `README.txt` of a verifiable export bundle: what is in it and how an auditor checks it, in plain words. */
export function bundleReadme(scope: 'all' | 'filtered'): string {
  const what =
    scope === 'all'
      ? 'every event the log holds, from the oldest retained one to the last event of the checkpoint below'
      : "the events that the export's filters kept (proof.json repeats the filters), up to the checkpoint below";
  return `Attest verifiable audit-log export
===================================

This bundle holds ${what}, and the proof that
each of them is in the organization's tamper-evident log exactly as written here.

Files
  events.csv        The events as a spreadsheet, in seq order (the same columns as the CSV export).
  records.jsonl     One event per line, exactly the canonical JSON (RFC 8785) bytes that its leaf hash
                    covers: leaf hash = SHA-256(0x00 || line).
  leaf-hashes.txt   "<seq> <leaf hash in hex>", one line per event, in the same order.
  checkpoint        The signed checkpoint (C2SP tlog-checkpoint, signed note with Ed25519): the log's name
                    (<deployment>/<organization id>), its size and the root hash of its Merkle tree (RFC 9162).
  proof-hashes.txt  The hashes of the parts of that tree that hold none of these events, left to right:
                    with the leaf hashes they rebuild the checkpoint's root.
  proof.json        What the bundle claims: scope, tree size, first and last seq, count, and whether the seqs
                    run without a gap.

How to check it
  1. Obtain the log's verifier key from the service's operator, out of band (for example
     GET /api/v1/log-keys, read over a channel you trust, or a copy you saved earlier). It looks like
     <name>+<8 hex digits>+<base64>.
  2. Run:   npx attest verify <this file>.zip --key '<verifier key>'
     It needs no database and no network. Exit code 0: every record hashes to its leaf, sits at its seq
     in the signed tree, a contiguous range has no gap (an export of everything reaches the checkpoint's
     last event) and events.csv says what the records say. Exit code 1: the first problem, with the seq of
     the event and the file. Add --json for a machine-readable report.
  3. To tie this checkpoint to one you saved earlier (the log only grew since), the service's operator runs
     attest verify --consistent-with <saved checkpoint> --org <organization id>.

What it proves and what not
  A record edited, deleted, inserted or moved after the checkpoint was signed is found. It cannot show
  events the export did not select, and someone holding the log's signing key could sign another history:
  compare the checkpoint with copies published elsewhere (for example sent to your SIEM) to pin it.
`;
}
