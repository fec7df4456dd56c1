import path from 'node:path';
import { getText } from './api-client';
import { cpuMs, forkServer, type Child } from './child-process';

/** What the sink (otlp-sink.ts) received from one service, by `service.name`. */
export interface SinkCounts {
  /** Export requests answered 200. */
  requests: number;
  /** Their bodies, as sent (compressed, if they were). */
  bytes: number;
  spans: number;
}

export interface SinkStats extends SinkCounts {
  /** Requests answered 404 (another path or method) or 400 (not OTLP protobuf). */
  refused: number;
  services: Record<string, SinkCounts>;
}

/** The sink's message when it listens. */
export interface SinkListening {
  type: 'listening';
  port: number;
}

/** The bench's side of an OTLP sink child process (otlp-sink.ts). */
export class OtlpSink {
  private constructor(
    private readonly child: Child,
    readonly port: number,
  ) {}

  static async start(): Promise<OtlpSink> {
    const { child, port } = await forkServer('OTLP sink', path.join(__dirname, 'otlp-sink.js'));
    return new OtlpSink(child, port);
  }

  /** What `OTEL_EXPORTER_OTLP_ENDPOINT` names: the SDK adds `/v1/traces`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The sink process's CPU so far (user + system), ms; undefined without /proc. */
  cpuMs(): number | undefined {
    return cpuMs(this.child.pid);
  }

  async stats(): Promise<SinkStats> {
    const answer = await getText(`${this.endpoint}/stats`, 5_000);
    if (answer?.status !== 200)
      throw new Error(`the OTLP sink did not answer its stats:\n${this.child.output()}`);
    return JSON.parse(answer.text) as SinkStats;
  }

  stop(): Promise<void> {
    return this.child.stop(2_000);
  }
}
