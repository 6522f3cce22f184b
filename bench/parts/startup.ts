/**
 * Start-up: `node dist/cli.js` with free ports, from spawn to the readiness line on stdout and to
 * the first 200 from /health (polled every 5 ms), median of `runs` after one unmeasured warm-up
 * (which generates the TLS material). Idle RSS 1 s after ready.
 */
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchTemp, emulatorCommand, READY_LINE, writeEmulatorConfig } from '../lib/systems.js';
import { freePort, log, mb, median, rssOf, sleep, startChild } from '../lib/util.js';

export interface StartupResult {
  runs: number;
  command: string;
  readyLineMs: { median: number; min: number; max: number };
  healthMs: { median: number; min: number; max: number };
  idleRssMb: number;
}

function health(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

async function once(config: string): Promise<{ readyMs: number; healthMs: number; rss: number }> {
  const { cmd, args } = emulatorCommand();
  const amqpPort = await freePort();
  const httpPort = await freePort();
  let readyMs = 0;
  let healthMs = 0;
  let out = '';
  const t0 = performance.now();
  const child = startChild(
    cmd,
    [...args, '--config', config, '--host', '127.0.0.1', '--amqp-port', String(amqpPort), '--http-port', String(httpPort), '--amqps-port', 'off', '--tls-dir', path.join(benchTemp(), 'tls'), '--log-level', 'warn'],
    {
      onStdout: (s) => {
        out += s;
        if (readyMs === 0 && out.includes(READY_LINE)) readyMs = performance.now() - t0;
      },
    },
  );
  try {
    const deadline = Date.now() + 30_000;
    while (healthMs === 0) {
      if (!child.alive()) throw new Error(`emulator exited: ${child.output().slice(-800)}`);
      if (Date.now() > deadline) throw new Error('no /health 200 within 30 s');
      if ((await health(httpPort)) === 200) healthMs = performance.now() - t0;
      else await sleep(5);
    }
    while (readyMs === 0 && Date.now() < deadline) await sleep(2);
    await sleep(1000);
    return { readyMs, healthMs, rss: rssOf(child.proc.pid!) };
  } finally {
    await child.stop();
  }
}

export async function startup(runs: number): Promise<StartupResult> {
  const config = writeEmulatorConfig();
  await once(config); // warm-up: TLS material, file cache
  const ready: number[] = [];
  const healthy: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(config);
    ready.push(r.readyMs);
    healthy.push(r.healthMs);
    rss.push(r.rss);
  }
  const summary = (v: number[]) => ({ median: median(v), min: Math.min(...v), max: Math.max(...v) });
  const result = { runs, command: emulatorCommand().how, readyLineMs: summary(ready), healthMs: summary(healthy), idleRssMb: mb(median(rss)) };
  log(`startup: readiness line ${result.readyLineMs.median.toFixed(0)} ms, /health 200 ${result.healthMs.median.toFixed(0)} ms (median of ${runs}), idle RSS ${result.idleRssMb} MB`);
  return result;
}
