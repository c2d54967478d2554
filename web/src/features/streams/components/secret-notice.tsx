import { useEffect, useRef } from 'react';
import { CopyButton } from '../../../components/ui/copy-button.js';

/**
 * A webhook secret, the one time the server gives it (after a create or a rotation): Attest keeps it encrypted
 * and never shows it again, so the notice says so and offers a copy button. Focus moves here when it appears.
 */
export function SecretNotice({ secret, url, onDone }: { secret: string; url: string; onDone: () => void }) {
  const region = useRef<HTMLElement>(null);
  useEffect(() => region.current?.focus(), [secret]);
  return (
    <section className="banner stream-secret" aria-labelledby="stream-secret-title" tabIndex={-1} ref={region} data-testid="stream-secret">
      <h2 id="stream-secret-title" className="section-title">
        Copy the signing secret now
      </h2>
      <p>
        The webhook at <span className="stream-url">{url}</span> signs every request with this secret. It is shown only this once; to get a
        new one later, rotate it.
      </p>
      <div className="inline-form">
        <input
          className="input stream-secret-value"
          readOnly
          aria-label="Signing secret"
          value={secret}
          onFocus={(e) => e.target.select()}
        />
        <CopyButton text={secret} label="Copy signing secret" />
        <button type="button" className="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </section>
  );
}
