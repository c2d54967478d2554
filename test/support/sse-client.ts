import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AuditEventRecord } from '../../src/events/audit-event.js';

/** One server-sent event as received. */
export interface SseMessage {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/** A tiny SSE client (WHATWG HTML §9.2 framing) that collects messages and lets a test wait for them. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  comments = 0;
  private buffer = '';
  private waiters: Array<() => void> = [];
  private req: ClientRequest | undefined;

  connect(url: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      this.req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        resolve(res.statusCode ?? 0);
      });
      this.req.on('error', reject);
      this.req.end();
    });
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = { id: undefined, event: undefined, data: '' };
      let isComment = true;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        isComment = false;
        const [field, ...rest] = line.split(':');
        const value = rest.join(':').replace(/^ /, '');
        if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
        else if (field === 'data') message.data += value;
      }
      if (isComment) this.comments += 1;
      else this.messages.push(message);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves when `done()` holds; gives up (failing the test) after 10 s. */
  async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.messages.length} messages`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  records(): AuditEventRecord[] {
    return this.messages.map((m) => JSON.parse(m.data) as AuditEventRecord);
  }

  close(): void {
    this.req?.destroy();
  }
}
