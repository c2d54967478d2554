import type { ReactNode } from 'react';

/**
 * The empty, loading and error states: each says what is happening and what the person can do next.
 * Loading is a polite live region, errors an alert, so screen readers announce them.
 */
export function StatusMessage({
  kind,
  title,
  children,
  action,
}: {
  kind: 'loading' | 'empty' | 'error' | 'info';
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  const role = kind === 'error' ? 'alert' : 'status';
  return (
    <div className={`status-message status-${kind}`} role={role} aria-live={kind === 'error' ? 'assertive' : 'polite'}>
      {kind === 'loading' ? <span className="spinner" aria-hidden="true" /> : null}
      <p className="status-title">{title}</p>
      {children ? <div className="status-body">{children}</div> : null}
      {action ? <div className="status-action">{action}</div> : null}
    </div>
  );
}
