/**
 * Forged signed notes made from a good one by rule: the text, the signature, the key ID or the name changed,
 * and the format broken in each way the C2SP signed-note specification forbids. Each names the error a
 * verifier owes: `SignatureError` when the note is well formed but no trusted signature holds,
 * `FormatError` when it is not a signed note at all.
 */
export interface NoteForgery {
  readonly description: string;
  readonly note: string;
  readonly expectedError: 'SignatureError' | 'FormatError';
}

const DASH = '\u2014 ';

/** Replaces the base64 signature of the first signature line with `edit` of its bytes. */
function withSignatureBytes(note: string, edit: (bytes: Buffer) => void): string {
  const split = note.lastIndexOf('\n\n') + 2;
  const [first, ...rest] = note.slice(split).split('\n');
  const space = first!.lastIndexOf(' ');
  const bytes = Buffer.from(first!.slice(space + 1), 'base64');
  edit(bytes);
  return note.slice(0, split) + [`${first!.slice(0, space)} ${bytes.toString('base64')}`, ...rest].join('\n');
}

export function* noteForgeries(good: string): Generator<NoteForgery> {
  const split = good.lastIndexOf('\n\n');
  const text = good.slice(0, split + 1);
  const signatures = good.slice(split + 2);
  yield {
    description: 'a character of the text changed',
    note: `${text.slice(0, 1) === 'X' ? 'Y' : 'X'}${good.slice(1)}`,
    expectedError: 'SignatureError',
  };
  yield { description: 'a line added to the text', note: `${text}extra\n\n${signatures}`, expectedError: 'SignatureError' };
  yield {
    description: 'the last signature byte changed',
    note: withSignatureBytes(good, (bytes) => void (bytes[bytes.length - 1]! ^= 0x01)),
    expectedError: 'SignatureError',
  };
  yield {
    description: 'the first signature byte changed',
    note: withSignatureBytes(good, (bytes) => void (bytes[4]! ^= 0x80)),
    expectedError: 'SignatureError',
  };
  yield {
    description: 'the key ID changed (no trusted key signed)',
    note: withSignatureBytes(good, (bytes) => void (bytes[0]! ^= 0x01)),
    expectedError: 'SignatureError',
  };
  yield {
    description: 'the key name changed (no trusted key signed)',
    note: good.replace(`\n${DASH}`, `\n${DASH}x`),
    expectedError: 'SignatureError',
  };
  yield { description: 'no signature lines', note: `${text}\n`, expectedError: 'FormatError' };
  yield { description: 'no blank line before the signatures', note: text + signatures, expectedError: 'FormatError' };
  yield {
    description: 'a hyphen instead of the em dash',
    note: `${text}\n${signatures.replace(DASH, '- ')}`,
    expectedError: 'FormatError',
  };
  yield { description: 'no newline after the last signature', note: good.slice(0, -1), expectedError: 'FormatError' };
  yield { description: 'a tab in the text', note: `\t${good}`, expectedError: 'FormatError' };
  yield { description: 'a carriage return before a newline', note: good.replace('\n', '\r\n'), expectedError: 'FormatError' };
  yield { description: 'the signature is not base64', note: good.replace(/ ([A-Za-z0-9+/=]+)\n$/, ' !$1\n'), expectedError: 'FormatError' };
  yield {
    description: 'the signature is too short to hold a key ID and a signature',
    note: `${text}\n${signatures.replace(/ [A-Za-z0-9+/=]+\n/, ' AAAAAA==\n')}`,
    expectedError: 'FormatError',
  };
  yield {
    description: 'a signature line without a key name',
    note: `${text}\n${signatures.replace(/^\u2014 \S+ /, `${DASH} `)}`,
    expectedError: 'FormatError',
  };
  yield { description: 'more than 100 signature lines', note: good + `${DASH}other AAAAAAAA\n`.repeat(100), expectedError: 'FormatError' };
}
