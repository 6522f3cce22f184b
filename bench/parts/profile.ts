/**
 * The emulator under --cpu-prof through the raw workloads (rhea client), one self-time table per
 * phase: only the samples taken while that phase ran count, so start-up (TLS key generation,
 * module loading) and the other phases stay out of each table.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect, encodedMessage, receive, sendAwaitAccept } from '../lib/amqp.js';
import { profileAreas, profileTop } from '../lib/report.js';
import { BENCH_DIR, benchTemp, ROOT, SkipError, startEmulatorProcess } from '../lib/systems.js';
import { sleep } from '../lib/util.js';

export interface ProfilePhase {
  phase: string;
  rate: number;
  top: ReturnType<typeof profileTop>;
  areas: ReturnType<typeof profileAreas>;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export async function profileEmulator(n: number, sizes = [256, 4096]): Promise<{ file: string; phases: ProfilePhase[] }> {
  mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
  const dir = path.join(benchTemp(), 'cpuprof');
  mkdirSync(dir, { recursive: true });
  const sys = await startEmulatorProcess({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'] });
  const windows: { phase: string; rate: number; from: number; to: number }[] = [];
  try {
    for (const size of sizes) {
      const address = sys.target.address(`bench-${size}`);
      const payload = encodedMessage(size);
      const conn = await connect(sys.target);
      try {
        const warm = Math.max(2000, Math.ceil(n / 4));
        await sendAwaitAccept(conn, address, warm, payload, 1000);
        await receive(conn, address, warm, 'accept', 1000);
        let from = nowUs();
        const s = await sendAwaitAccept(conn, address, n, payload, 1000);
        windows.push({ phase: `send ${size} B`, rate: s.rate, from, to: nowUs() });
        from = nowUs();
        const r = await receive(conn, address, n, 'accept', 1000);
        windows.push({ phase: `receive + accept ${size} B`, rate: r.rate, from, to: nowUs() });
      } finally {
        await conn.close();
      }
    }
  } finally {
    await sys.stop();
  }
  await sleep(200);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new SkipError('no .cpuprofile was written (did the emulator exit cleanly on SIGTERM?)');
  const kept = path.join(BENCH_DIR, 'results', 'emulator-amqp.cpuprofile');
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  writeFileSync(kept, JSON.stringify(profile));
  return {
    file: path.relative(ROOT, kept),
    phases: windows.map((w) => ({ phase: w.phase, rate: w.rate, top: profileTop(profile, ROOT, 22, w), areas: profileAreas(profile, w) })),
  };
}
