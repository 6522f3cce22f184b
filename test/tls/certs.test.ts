import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTlsMaterial, type TlsMaterial } from '../../src/tls/certs.js';

const run = promisify(execFile);
const VERIFIERS = path.join(import.meta.dirname, 'verifiers');

async function hasTool(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args, { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** A TLS server presenting the material's certificate, answering "hi" and closing. */
async function withTlsServer<T>(m: TlsMaterial, host: string, fn: (port: number) => Promise<T>): Promise<T> {
  const server = tls.createServer({ key: m.keyPem, cert: m.certPem }, (s) => s.end('hi'));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  try {
    return await fn((server.address() as { port: number }).port);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function nodeConnect(options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options, () => {
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.end();
      });
    });
    socket.on('error', reject);
  });
}

let dir: string;
let material: TlsMaterial;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sbemu-tls-'));
  material = await ensureTlsMaterial(path.join(dir, 'nested', 'tls'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ensureTlsMaterial', () => {
  it('creates the directory and writes ca.pem, ca-key.pem, cert.pem and key.pem', async () => {
    const tlsDir = path.join(dir, 'nested', 'tls');
    expect(material.dir).toBe(tlsDir);
    expect(material.caPath).toBe(path.join(tlsDir, 'ca.pem'));
    expect(await readFile(material.caPath, 'utf8')).toBe(material.caPem);
    expect(await readFile(path.join(tlsDir, 'cert.pem'), 'utf8')).toBe(material.certPem);
    expect(await readFile(path.join(tlsDir, 'key.pem'), 'utf8')).toBe(material.keyPem);
    expect(await readFile(path.join(tlsDir, 'ca-key.pem'), 'utf8')).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect((await stat(path.join(tlsDir, 'key.pem'))).mode & 0o077).toBe(0);
  });

  it('makes a CA and a leaf for localhost, 127.0.0.1 and ::1 signed by it, RSA 2048', () => {
    const ca = new X509Certificate(material.caPem);
    const leaf = new X509Certificate(material.certPem);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    expect(leaf.checkHost('example.com')).toBeUndefined();
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(leaf.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(ca.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const years = (c: X509Certificate) => (Date.parse(c.validTo) - Date.parse(c.validFrom)) / (365 * 86_400_000);
    expect(years(ca)).toBeGreaterThan(9.9);
    expect(years(leaf)).toBeGreaterThan(2.2); // 825 days + 1 day of backdating
    expect(Date.parse(leaf.validFrom)).toBeLessThan(Date.now());
  });

  it('reuses existing material instead of generating new', async () => {
    const again = await ensureTlsMaterial(material.dir);
    expect(again).toEqual(material);
  });

  it('uses a user-supplied ca.pem/cert.pem/key.pem as is (no ca-key.pem needed)', async () => {
    const own = path.join(dir, 'own');
    await ensureTlsMaterial(own);
    await rm(path.join(own, 'ca-key.pem'));
    await writeFile(path.join(own, 'cert.pem'), material.certPem);
    await writeFile(path.join(own, 'key.pem'), material.keyPem);
    const loaded = await ensureTlsMaterial(own);
    expect(loaded.certPem).toBe(material.certPem);
    expect(loaded.keyPem).toBe(material.keyPem);
  });

  it('re-issues an expired server certificate with the same CA, and issues one when only the CA exists', async () => {
    const d = path.join(dir, 'renew');
    const old = await ensureTlsMaterial(d, Date.now() - 900 * 86_400_000);
    expect(Date.parse(new X509Certificate(old.certPem).validTo)).toBeLessThan(Date.now());
    const renewed = await ensureTlsMaterial(d);
    expect(renewed.caPem).toBe(old.caPem);
    expect(renewed.certPem).not.toBe(old.certPem);
    expect(new X509Certificate(renewed.certPem).verify(new X509Certificate(old.caPem).publicKey)).toBe(true);
    expect(Date.parse(new X509Certificate(renewed.certPem).validTo)).toBeGreaterThan(Date.now());

    await rm(path.join(d, 'cert.pem'));
    const issued = await ensureTlsMaterial(d);
    expect(issued.caPem).toBe(old.caPem);
    expect(new X509Certificate(issued.certPem).checkIssued(new X509Certificate(old.caPem))).toBe(true);
  });
});

describe('ensureTlsMaterial with extra names (--tls-hostnames)', () => {
  it('covers added DNS names and IPs, re-issuing by the same CA when a name is new, and keeps a certificate that has them', async () => {
    const d = path.join(dir, 'names');
    const plain = await ensureTlsMaterial(d);
    expect(new X509Certificate(plain.certPem).checkHost('sb-emulator')).toBeUndefined();

    const named = await ensureTlsMaterial(d, Date.now(), ['SB-Emulator', '10.1.2.3']);
    expect(named.caPem).toBe(plain.caPem);
    const cert = new X509Certificate(named.certPem);
    expect(cert.checkHost('sb-emulator')).toBe('sb-emulator');
    expect(cert.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIssued(new X509Certificate(plain.caPem))).toBe(true);

    // The same names (or fewer) again: nothing is re-issued.
    expect((await ensureTlsMaterial(d, Date.now(), ['sb-emulator'])).certPem).toBe(named.certPem);
    expect((await ensureTlsMaterial(d)).certPem).toBe(named.certPem);

    // Node verifies the new name through the unchanged CA.
    await withTlsServer(named, '127.0.0.1', async (port) => {
      expect(await nodeConnect({ host: '127.0.0.1', port, servername: 'sb-emulator', ca: plain.caPem })).toBe('hi');
      await expect(nodeConnect({ host: '127.0.0.1', port, servername: 'other-host', ca: plain.caPem })).rejects.toThrow(/altnames|Hostname/);
    });
  });

  it('leaves a certificate the user brought alone, whatever names are asked for', async () => {
    const own = path.join(dir, 'own-names');
    await ensureTlsMaterial(own);
    await rm(path.join(own, 'ca-key.pem'));
    const before = await readFile(path.join(own, 'cert.pem'), 'utf8');
    expect((await ensureTlsMaterial(own, Date.now(), ['sb-emulator'])).certPem).toBe(before);
  });
});

describe('clients trust the leaf through the CA', () => {
  it('Node: by name localhost and by IP 127.0.0.1', async () => {
    await withTlsServer(material, '127.0.0.1', async (port) => {
      expect(await nodeConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: material.caPem })).toBe('hi');
      expect(await nodeConnect({ host: '127.0.0.1', port, ca: material.caPem })).toBe('hi');
      // Without the CA the certificate is not trusted.
      await expect(nodeConnect({ host: '127.0.0.1', port, servername: 'localhost' })).rejects.toThrow(/certificate/);
    });
  });

  it('Node: by IP ::1 when IPv6 loopback is available', async (ctx) => {
    const server = tls.createServer({ key: material.keyPem, cert: material.certPem }, (s) => s.end('hi'));
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (!ok) ctx.skip();
    try {
      const port = (server.address() as { port: number }).port;
      // Node 22 and later compare '::1' with the altname as OpenSSL 3 prints it
      // ('0:0:0:0:0:0:0:1') as text, and fail; the certificate itself covers ::1 either way.
      expect(new X509Certificate(material.certPem).checkIP('::1')).toBeDefined();
      const textualIpCheck = Number(process.versions.node.split('.')[0]) >= 22;
      expect(await nodeConnect({ host: '::1', port, ca: material.caPem, ...(textualIpCheck ? { servername: 'localhost' } : {}) })).toBe('hi');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('OpenSSL: verify -x509_strict -purpose sslserver', async (ctx) => {
    if (!(await hasTool('openssl', ['version']))) ctx.skip();
    const certPath = path.join(material.dir, 'cert.pem');
    for (const check of [['-verify_hostname', 'localhost'], ['-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) {
      const { stdout } = await run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', ...check, '-CAfile', material.caPath, certPath]);
      expect(stdout).toContain(': OK');
    }
  });

  it('Python ssl (strict X.509 flags, as in Python 3.13)', async (ctx) => {
    if (!(await hasTool('python3', ['--version']))) ctx.skip();
    await withTlsServer(material, '127.0.0.1', async (port) => {
      for (const name of ['localhost', '127.0.0.1']) {
        const { stdout } = await run('python3', [path.join(VERIFIERS, 'verify.py'), material.caPath, '127.0.0.1', String(port), name]);
        expect(stdout).toMatch(/^ok TLS/);
      }
    });
  });

  it('Java (PKIX trust manager with HTTPS hostname verification)', async (ctx) => {
    if (!(await hasTool('java', ['-version']))) ctx.skip();
    await withTlsServer(material, '127.0.0.1', async (port) => {
      for (const host of ['localhost', '127.0.0.1']) {
        const { stdout } = await run('java', [path.join(VERIFIERS, 'Verify.java'), material.caPath, host, String(port)], { timeout: 60_000 });
        expect(stdout).toMatch(/^ok TLS/);
      }
    });
  }, 120_000);

  it('Go crypto/x509 Verify for localhost, 127.0.0.1 and ::1', async (ctx) => {
    if (!(await hasTool('go', ['version']))) ctx.skip();
    const { stdout } = await run(
      'go',
      ['run', path.join(VERIFIERS, 'verify.go'), material.caPath, path.join(material.dir, 'cert.pem'), 'localhost', '127.0.0.1', '::1'],
      { timeout: 110_000, env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'off' } },
    );
    expect(stdout.trim().split('\n')).toEqual(['ok localhost', 'ok 127.0.0.1', 'ok ::1']);
  }, 120_000);
});
