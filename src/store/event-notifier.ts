import { EventEmitter } from 'node:events';

// A symbol, so no organization id can be mistaken for it.
const ANY_ORGANIZATION = Symbol('any organization');

/**
 * Tells live-feed subscribers that an organization's log has new events up to a seq. The store announces every
 * commit that appended events, after the commit. Commits of other processes are announced here too while the
 * store follows them ({@link EventNotifier.coversOtherProcesses}: PostgreSQL's LISTEN/NOTIFY); otherwise
 * (SQLite, or while the listening connection is lost) a subscriber finds them only by polling the store.
 */
export class EventNotifier {
  private readonly emitter = new EventEmitter();
  /**
   * True while other processes' commits are announced here as well, so a subscriber's poll is only the
   * fallback for a lost announcement and may be rare; false on SQLite and while following them is interrupted.
   */
  coversOtherProcesses = false;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Announces that `orgId`'s log now reaches `lastSeq`. */
  notify(orgId: string, lastSeq: number): void {
    this.emitter.emit(orgId, lastSeq);
    this.emitter.emit(ANY_ORGANIZATION, orgId, lastSeq);
  }

  /** Calls `listener` on every announcement for `orgId`; returns the unsubscribe function. */
  subscribe(orgId: string, listener: (lastSeq: number) => void): () => void {
    this.emitter.on(orgId, listener);
    return () => this.emitter.off(orgId, listener);
  }

  /** Calls `listener` on every announcement, for any organization (the checkpointer); returns the unsubscribe function. */
  subscribeAll(listener: (orgId: string, lastSeq: number) => void): () => void {
    this.emitter.on(ANY_ORGANIZATION, listener);
    return () => this.emitter.off(ANY_ORGANIZATION, listener);
  }
}
