import { get } from 'node:http';
import { Pool } from 'undici';

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** Hookline's HTTP API over a keep-alive pool (undici, so the client costs the 2 cores little). */
export class ApiClient {
  private readonly pool: Pool;

  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
    connections = 32,
  ) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  /** A JSON request; `body` as a string is sent as is (prebuilt batches). */
  async request<T = unknown>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<ApiAnswer<T>> {
    const response = await this.pool.request({
      method,
      path,
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** A request that must answer `status`; anything else throws with what it answered. */
  async expect<T = unknown>(
    status: number,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const answer = await this.request<T>(method, path, body);
    if (answer.status !== status) {
      throw new Error(
        `${method} ${path} answered ${answer.status}, not ${status}: ${JSON.stringify(answer.body).slice(0, 500)}`,
      );
    }
    return answer.body;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** A GET's status and body (no keep-alive, `timeoutMs` limit), or undefined when nothing answers. */
export function getText(
  url: string,
  timeoutMs = 1_000,
): Promise<{ status: number; text: string } | undefined> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** The status of a GET (no keep-alive, 1 s limit), or undefined when nothing answers. */
export async function statusOf(url: string): Promise<number | undefined> {
  return (await getText(url))?.status;
}

/** One unlabelled sample from a Prometheus text exposition, or null. */
export function metricValue(exposition: string, name: string): number | null {
  const match = new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(exposition);
  return match ? Number(match[1]) : null;
}

/** A metric's samples added up over every label set (`name{…} v` and `name v`), or null for none. */
export function metricSum(exposition: string, name: string): number | null {
  const samples = [
    ...exposition.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)`, 'gm')),
  ];
  return samples.length === 0 ? null : samples.reduce((sum, m) => sum + Number(m[1]), 0);
}
