import { errorMessage } from '../../lib/api-client.js';

/** Says how a change went: the server's reason in words when it failed, a short confirmation when it worked. */
export function MutationFeedback({ error, success, successText }: { error: unknown; success: boolean; successText: string }) {
  if (error)
    return (
      <p className="form-error" role="alert">
        {errorMessage(error)}
      </p>
    );
  if (success)
    return (
      <p className="form-success" role="status">
        {successText}
      </p>
    );
  return null;
}
