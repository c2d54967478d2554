import * as Dialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';

/**
 * A panel that slides in from the right (a Radix dialog: focus moves in, Escape closes, focus returns to the
 * trigger). A panel opened without a trigger (from a row, or a shared link) says where focus goes on closing
 * with `returnFocus`, which returns the element to focus, or null to leave it to the dialog.
 */
export function SidePanel({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  returnFocus,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children: ReactNode;
  footer?: ReactNode;
  returnFocus?: () => HTMLElement | null;
}) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="side-panel"
          onCloseAutoFocus={(event) => {
            const target = returnFocus?.();
            if (!target) return;
            event.preventDefault();
            target.focus();
          }}
        >
          <header className="side-panel-header">
            <Dialog.Title className="side-panel-title">{title}</Dialog.Title>
            <Dialog.Close className="icon-button" aria-label={`Close ${title}`}>
              ×
            </Dialog.Close>
          </header>
          {description ? (
            <Dialog.Description className="side-panel-description">{description}</Dialog.Description>
          ) : (
            <Dialog.Description className="visually-hidden">{title}</Dialog.Description>
          )}
          <div className="side-panel-body">{children}</div>
          {footer ? <footer className="side-panel-footer">{footer}</footer> : null}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
