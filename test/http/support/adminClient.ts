/**
 * Test-side handle on a child Node process that runs the real ServiceBusAdministrationClient
 * (see adminClientChild.mjs). Results come back as JSON (Dates as ISO strings).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const CHILD = path.join(import.meta.dirname, 'adminClientChild.mjs');

export interface SdkError {
  name?: string;
  code?: string;
  statusCode?: number;
  message: string;
}

export class SdkCallError extends Error {
  constructor(readonly detail: SdkError) {
    super(`${detail.code ?? detail.name}: ${detail.message}`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export class AdminClientProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stderr = '';

  /** `env` is the child's whole environment (NODE_EXTRA_CA_CERTS goes here). */
  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [CHILD], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { id: number; ok: boolean; result?: Json; error?: SdkError };
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new SdkCallError(msg.error!));
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`admin client process exited (${code}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  private send(req: Record<string, unknown>): Promise<Json> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ id, ...req })}\n`);
    });
  }

  /** A client for one connection string. */
  client(connectionString: string) {
    return {
      call: (method: string, ...args: unknown[]): Promise<Json> => this.send({ connectionString, op: 'call', method, args }),
      pages: (method: string, pageSize: number, ...args: unknown[]): Promise<Json[][]> =>
        this.send({ connectionString, op: 'pages', method, args, pageSize }),
      all: (method: string, ...args: unknown[]): Promise<Json[]> => this.send({ connectionString, op: 'all', method, args }),
    };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    this.child.kill();
    await exited;
  }
}

/** Rejects with the SDK's error, for `await expect(sdkError(p)).resolves.toMatchObject(...)`. */
export async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SdkCallError) return e.detail;
    throw e;
  }
  throw new Error('expected the SDK call to fail');
}
