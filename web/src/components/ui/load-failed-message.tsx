import type { ReactNode } from 'react';
import { errorMessage } from '../../lib/api-client.js';
import { StatusMessage } from './status-message.js';

/**
 * What a page says when the data it needs could not be loaded: the title, the server's reason, and "Try
 * again" (before any further actions the page offers), so every page recovers the same way.
 */
export function LoadFailedMessage({
  title,
  error,
  onRetry,
  moreActions,
}: {
  title: string;
  error: unknown;
  onRetry: () => void;
  moreActions?: ReactNode;
}) {
  return (
    <StatusMessage
      kind="error"
      title={title}
      action={
        <>
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
          {moreActions}
        </>
      }
    >
      {errorMessage(error)}
    </StatusMessage>
  );
}
