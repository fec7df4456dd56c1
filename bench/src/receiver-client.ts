import path from 'node:path';
import { forkServer, type Child } from './child-process';
import { sleep } from './clock';
import type {
  FromReceiver,
  ReceiverRequest,
  Samples,
  TagStats,
  ToReceiver,
} from './receiver-protocol';

/** The bench's side of the receiver child process (receiver.ts). */
export class ReceiverClient {
  private nextId = 1;
  private readonly pending = new Map<number, (message: FromReceiver) => void>();

  private constructor(
    private readonly child: Child,
    readonly port: number,
  ) {
    child.process.on('message', (message: FromReceiver) => {
      if (!('id' in message)) return;
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message);
    });
  }

  static async start(): Promise<ReceiverClient> {
    const { child, port } = await forkServer('receiver', path.join(__dirname, 'receiver.js'));
    return new ReceiverClient(child, port);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The URL of a counted path (`/c/<tag>/<rest>`) or a recorded one (`/r/<tag>/<rest>`). */
  url(mode: 'c' | 'r', tag: string, rest = ''): string {
    return `http://127.0.0.1:${this.port}/${mode}/${tag}${rest === '' ? '' : `/${rest}`}`;
  }

  private ask(request: ReceiverRequest): Promise<FromReceiver> {
    if (!this.child.running)
      return Promise.reject(new Error(`the receiver has exited:\n${this.child.output()}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('the receiver did not answer within 10 s'));
      }, 10_000);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      const message: ToReceiver = { ...request, id };
      this.child.process.send(message);
    });
  }

  async stats(tag: string): Promise<TagStats> {
    const answer = await this.ask({ type: 'stats', tag });
    if (answer.type !== 'stats') throw new Error(`receiver answered ${answer.type} to stats`);
    return answer.stats;
  }

  async samples(tag: string): Promise<Samples> {
    const answer = await this.ask({ type: 'samples', tag });
    if (answer.type !== 'samples') throw new Error(`receiver answered ${answer.type} to samples`);
    return answer.samples;
  }

  /**
   * Waits until `tag` has `count` distinct deliveries, reporting progress as it goes; fails after
   * `timeoutMs` with how many arrived.
   */
  async waitForCount(
    tag: string,
    count: number,
    {
      timeoutMs,
      onProgress,
      intervalMs = 50,
    }: { timeoutMs: number; onProgress?: (stats: TagStats) => void; intervalMs?: number },
  ): Promise<TagStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats(tag);
      onProgress?.(stats);
      if (stats.count >= count) return stats;
      if (Date.now() > deadline) {
        throw new Error(
          `the receiver got ${stats.count} of ${count} deliveries for ${tag} within ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await sleep(intervalMs);
    }
  }

  stop(): Promise<void> {
    return this.child.stop(2_000);
  }
}
