import { connect, type ChannelModel, type ConfirmChannel, type Message } from 'amqplib';
import type { LookupFunction } from 'node:net';

export interface BrokerLinkOptions {
  /** Time to open the connection (TCP, TLS and the AMQP handshake). */
  connectTimeoutMs: number;
  /** The SSRF-guarded name resolution every connection's socket uses. */
  lookup: LookupFunction;
  /** The certificate authorities to trust for amqps, in place of Node's own list (tests). */
  ca?: string | undefined;
  /** Names the connection in the broker's list of connections (the endpoint's id). */
  connectionName: string;
  /** Throws when the URL may not be connected to at all (an IP literal the policy refuses). */
  check: () => void;
}

/** What the broker said when it sent a published message back (basic.return). */
export interface Returned {
  replyCode: number;
  replyText: string;
}

/**
 * An open confirm channel, and what is known of how it ended. Publishes on it are told apart by
 * a key their message carries, so that one sent back (basic.return, which comes before its ack)
 * is not taken for delivered.
 */
export class PublishChannel {
  /** The broker's reason, when it closed the channel itself (404 no exchange, 403 …). */
  refusal: Error | undefined;
  /** Why the connection under it closed, when it did. */
  connectionLoss: Error | undefined;
  private readonly returned = new Map<string, Returned>();

  constructor(readonly channel: ConfirmChannel) {}

  noteReturn(key: string, returned: Returned): void {
    this.returned.set(key, returned);
  }

  /** The return noted for a publish's key, forgotten as it is read. */
  takeReturn(key: string): Returned | undefined {
    const returned = this.returned.get(key);
    this.returned.delete(key);
    return returned;
  }
}

/**
 * One endpoint's connection to its broker and the confirm channel every attempt to it shares.
 * Both are opened by the first attempt that needs them; one that closes (the broker stopped,
 * closed the channel, the network dropped) is let go, and the next attempt opens another. No
 * connection is ever remade by a timer: a broker that is down costs one connect per attempt,
 * and the attempts follow the retry schedule.
 */
export class BrokerLink {
  private connection: Promise<ChannelModel> | undefined;
  private open: Promise<PublishChannel> | undefined;
  private closed = false;

  constructor(
    readonly brokerUrl: string,
    private readonly options: BrokerLinkOptions,
    private readonly returnKey: (message: Message) => string | undefined,
  ) {}

  /** The shared confirm channel, opened (with its connection) when there is none. */
  channel(): Promise<PublishChannel> {
    if (this.closed) return Promise.reject(new Error('the endpoint’s broker link is closed'));
    if (!this.open) {
      const opening = this.openChannel();
      this.open = opening;
      // A failed open is not kept: the next attempt tries again.
      opening.catch(() => {
        if (this.open === opening) this.open = undefined;
      });
    }
    return this.open;
  }

  private async openChannel(): Promise<PublishChannel> {
    const model = await this.connect();
    const channel = await model.createConfirmChannel();
    const open = new PublishChannel(channel);
    const opened = this.open;
    channel.on('error', (error: Error) => {
      open.refusal = error;
    });
    channel.on('return', (message: Message) => {
      const key = this.returnKey(message);
      if (key === undefined) return;
      const { replyCode, replyText } = message.fields as unknown as Returned;
      open.noteReturn(key, { replyCode, replyText });
    });
    channel.on('close', () => {
      if (this.open === opened) this.open = undefined;
    });
    model.once('close', (error?: Error) => {
      open.connectionLoss = error ?? new Error('the connection to the broker closed');
    });
    return open;
  }

  private connect(): Promise<ChannelModel> {
    if (!this.connection) {
      const connecting = this.openConnection();
      this.connection = connecting;
      connecting.catch(() => {
        if (this.connection === connecting) this.connection = undefined;
      });
    }
    return this.connection;
  }

  private async openConnection(): Promise<ChannelModel> {
    this.options.check();
    const model = await connect(this.brokerUrl, {
      timeout: this.options.connectTimeoutMs,
      lookup: this.options.lookup,
      ...(this.options.ca === undefined ? {} : { ca: this.options.ca }),
      clientProperties: { connection_name: this.options.connectionName },
    });
    const held = this.connection;
    // Without a listener an 'error' would throw; what it says reaches the attempts through the
    // channel's close.
    model.on('error', () => undefined);
    model.once('close', () => {
      if (this.connection === held) {
        this.connection = undefined;
        this.open = undefined;
      }
    });
    // Closed while it was opening (the endpoint changed or the dispatcher stops).
    if (this.closed) await model.close().catch(() => undefined);
    return model;
  }

  /** Closes the connection; attempts still waiting on it fail as their channel closes. */
  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    this.open = undefined;
    if (!connection) return;
    const model = await connection.catch(() => undefined);
    await model?.close().catch(() => undefined);
  }
}
