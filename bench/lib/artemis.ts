/**
 * ActiveMQ Artemis, the reference broker: a fast Java AMQP 1.0 broker. The distribution comes from
 * Maven Central through Maven itself (`org.apache.activemq:apache-artemis:<version>:zip:bin`),
 * kept under bench/.cache (and Maven's ~/.m2), unpacked once; each run creates a fresh broker
 * instance in the bench's temp dir: anonymous access allowed, persistence off, one AMQP acceptor
 * on a free loopback port, queues auto-created as anycast (the default, multicast, would drop what
 * is sent before a receiver attaches and give every receiver its own copy).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from './amqp.js';
import { BENCH_DIR, benchTemp, SkipError, type System } from './systems.js';
import { freePort, log, rssOfTree, run, sleep, startChild, waitForPort, which } from './util.js';

export const ARTEMIS_VERSION = process.env.BENCH_ARTEMIS_VERSION ?? '2.40.0';
const CACHE = path.join(BENCH_DIR, '.cache');

/** The unpacked distribution's home, fetched and unpacked on first use. */
function artemisHome(install: boolean): string {
  const home = path.join(CACHE, `apache-artemis-${ARTEMIS_VERSION}`);
  const bin = path.join(home, 'bin', 'artemis');
  if (existsSync(bin)) return home;
  const zip = path.join(CACHE, `apache-artemis-${ARTEMIS_VERSION}-bin.zip`);
  if (!existsSync(zip)) {
    if (!install) throw new SkipError(`Artemis ${ARTEMIS_VERSION} is not in bench/.cache (and --no-install was given)`);
    if (!which('mvn')) throw new SkipError('mvn is not installed: it fetches the Artemis distribution from Maven Central');
    log(`mvn dependency:copy apache-artemis ${ARTEMIS_VERSION} ...`);
    const r = run(
      'mvn',
      ['-q', '-B', 'dependency:copy', `-Dartifact=org.apache.activemq:apache-artemis:${ARTEMIS_VERSION}:zip:bin`, `-DoutputDirectory=${CACHE}`],
      { cwd: CACHE.replace(/\/\.cache$/, ''), timeoutMs: 600_000 },
    );
    if (r.status !== 0 || !existsSync(zip)) throw new SkipError(`mvn could not fetch Artemis ${ARTEMIS_VERSION}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  }
  // unzip keeps the distribution's file modes; python's zipfile (the fallback) does not.
  const r = which('unzip')
    ? run('unzip', ['-q', '-o', zip, '-d', CACHE])
    : run('python3', ['-c', 'import sys,zipfile;zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, CACHE]);
  if (r.status !== 0 || !existsSync(bin)) throw new SkipError(`could not unpack ${zip}: ${r.stderr.trim().slice(-300)}`);
  run('chmod', ['+x', bin]);
  return home;
}

/** broker.xml as `artemis create` wrote it, with our acceptor and anycast defaults. */
function patchBrokerXml(file: string, port: number): void {
  let xml = readFileSync(file, 'utf8');
  // One acceptor, AMQP only, with the flow-control settings `create` writes for its AMQP acceptor.
  const acceptor =
    `<acceptor name="amqp">tcp://127.0.0.1:${port}?tcpSendBufferSize=1048576;tcpReceiveBufferSize=1048576;protocols=AMQP;` +
    `useEpoll=true;amqpCredits=1000;amqpLowCredits=300;amqpMinLargeMessageSize=102400;amqpDuplicateDetection=true</acceptor>`;
  xml = xml.replace(/<acceptors>[\s\S]*?<\/acceptors>/, `<acceptors>\n         ${acceptor}\n      </acceptors>`);
  if (!xml.includes('<persistence-enabled>false</persistence-enabled>')) {
    xml = xml.replace(/<persistence-enabled>[^<]*<\/persistence-enabled>/, '<persistence-enabled>false</persistence-enabled>');
  }
  xml = xml.replace(
    /(<address-setting match="#">)/,
    '$1\n            <default-address-routing-type>ANYCAST</default-address-routing-type>\n            <default-queue-routing-type>ANYCAST</default-queue-routing-type>',
  );
  if (!xml.includes('<persistence-enabled>false</persistence-enabled>') || !xml.includes(`127.0.0.1:${port}`)) {
    throw new SkipError('Artemis broker.xml did not take the bench settings (persistence off, acceptor port)');
  }
  writeFileSync(file, xml);
}

export async function startArtemis(install: boolean, queues: string[]): Promise<System & { version: string }> {
  const home = artemisHome(install);
  if (!which('java')) throw new SkipError('java is not installed (Artemis needs Java 17)');
  const instance = path.join(benchTemp(), 'artemis');
  const port = await freePort();
  const created = run(
    path.join(home, 'bin', 'artemis'),
    [
      'create', instance, '--silent', '--force', '--allow-anonymous', '--user', 'admin', '--password', 'admin',
      '--disable-persistence', '--no-web', '--no-hornetq-acceptor', '--no-mqtt-acceptor', '--no-stomp-acceptor',
      '--no-autotune', '--host', '127.0.0.1', '--autocreate', '--queues', queues.map((q) => `${q}:anycast`).join(','),
    ],
    { timeoutMs: 120_000 },
  );
  if (created.status !== 0) throw new SkipError(`artemis create failed: ${(created.stdout + created.stderr).trim().slice(-500)}`);
  patchBrokerXml(path.join(instance, 'etc', 'broker.xml'), port);

  const started = performance.now();
  // `bin/artemis run` execs java: the child is the broker's JVM.
  const child = startChild(path.join(instance, 'bin', 'artemis'), ['run'], { cwd: instance });
  const target = { host: '127.0.0.1', port, auth: 'plain' as const, username: 'admin', password: 'admin', address: (q: string) => q };
  try {
    await waitForPort(port, 90_000, '127.0.0.1', child.alive);
    // The acceptor opens before the broker is fully live: ready is a successful AMQP open.
    for (let i = 0; ; i++) {
      try {
        await (await connect(target)).close();
        break;
      } catch (e) {
        if (i >= 50 || !child.alive()) throw e;
        await sleep(100);
      }
    }
  } catch (e) {
    await child.stop(15_000);
    throw new SkipError(`Artemis ${ARTEMIS_VERSION} did not start: ${(e as Error).message}; ${child.output().slice(-800)}`);
  }
  const startMs = performance.now() - started;
  const pid = child.proc.pid!;
  return {
    name: 'artemis',
    version: ARTEMIS_VERSION,
    target,
    pid,
    child,
    startMs,
    rss: () => rssOfTree(pid),
    stop: () => child.stop(15_000),
  };
}
