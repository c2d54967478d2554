import { EventEmitter } from 'node:events';

/**
 * Tells live-feed subscribers that an organization's log has new events up to a seq. The store announces every
 * commit that appended events, after the commit. In-process only: a subscriber also polls the store, so events
 * committed by another process (the CLI, another server) arrive too, a moment later.
 */
export class EventNotifier {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Announces that `orgId`'s log now reaches `lastSeq`. */
  notify(orgId: string, lastSeq: number): void {
    this.emitter.emit(orgId, lastSeq);
  }

  /** Calls `listener` on every announcement for `orgId`; returns the unsubscribe function. */
  subscribe(orgId: string, listener: (lastSeq: number) => void): () => void {
    this.emitter.on(orgId, listener);
    return () => this.emitter.off(orgId, listener);
  }
}
