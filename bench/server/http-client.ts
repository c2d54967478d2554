import { Agent, request, type IncomingMessage } from 'node:http';

/** One keep-alive connection pool for the benchmark's own sequential requests. */
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Starts a GET and resolves with the response head; the caller reads (or drains) the body. */
export function httpGet(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET', headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** A GET whose body is read whole: status and text. */
export async function httpGetText(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await httpGet(url, headers);
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') };
}

/** Closes the idle keep-alive connections so the process can exit. */
export function closeHttpClient(): void {
  agent.destroy();
}
