/**
 * TLS material for AMQPS and the HTTPS side of the admin port: a local CA and a server
 * certificate signed by it for localhost, 127.0.0.1, ::1 and any names the user adds
 * (`--tls-hostnames`, for clients that reach the emulator by a Compose service name). Users trust
 * the CA (`NODE_EXTRA_CA_CERTS=<dir>/ca.pem`, `SSL_CERT_FILE`, a Java trust store, ...), never the
 * leaf, so a re-issued server certificate needs nothing from them.
 *
 * Files in the directory:
 *   ca.pem      the CA certificate (the only file clients need)
 *   ca-key.pem  the CA's private key (kept so the leaf can be re-issued by the same CA)
 *   cert.pem    the server certificate
 *   key.pem     the server's private key
 *
 * If ca.pem, cert.pem and key.pem exist they are used (users may bring their own).
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';

export interface TlsMaterial {
  dir: string;
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const CA_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const CERT_FILE = 'cert.pem';
const KEY_FILE = 'key.pem';

const DAY_MS = 86_400_000;

/** The names every generated server certificate covers. */
export const LOCAL_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Whether a PEM server certificate is still valid for at least a day and covers every name
 * (false when unreadable). Names the certificate has beyond those asked for do no harm.
 */
function stillGood(certPem: string, names: readonly string[], now: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (Date.parse(cert.validTo) <= now + DAY_MS) return false;
    return names.every((name) =>
      isIP(name) === 0 ? cert.checkHost(name, { subject: 'never' }) !== undefined : cert.checkIP(name) !== undefined,
    );
  } catch {
    return false;
  }
}

/** localhost, 127.0.0.1, ::1, then the extra names, each once, DNS names lower-cased. */
export function certificateNames(extra: readonly string[] = []): string[] {
  const names: string[] = [];
  for (const raw of [...LOCAL_NAMES, ...extra]) {
    const name = isIP(raw.trim()) === 0 ? raw.trim().toLowerCase() : raw.trim();
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Loads ca.pem, cert.pem and key.pem from `dir` (creating the directory if needed):
 * - all three present: used as they are, unless we generated them (ca-key.pem is there) and the
 *   server certificate has expired or lacks one of `extraNames`, in which case it is re-issued by
 *   the same CA, so clients that trust ca.pem keep working;
 * - ca.pem and ca-key.pem present but no server certificate: one is issued by that CA;
 * - otherwise: a new CA and server certificate are generated (ca.pem, ca-key.pem, cert.pem, key.pem).
 */
export async function ensureTlsMaterial(dir: string, now = Date.now(), extraNames: readonly string[] = []): Promise<TlsMaterial> {
  const abs = path.resolve(dir);
  const file = (name: string): string => path.join(abs, name);
  const caPath = file(CA_FILE);
  const names = certificateNames(extraNames);
  const [caPem, caKeyPem, certPem, keyPem] = await Promise.all([
    readIfExists(caPath),
    readIfExists(file(CA_KEY_FILE)),
    readIfExists(file(CERT_FILE)),
    readIfExists(file(KEY_FILE)),
  ]);

  if (caPem !== undefined && certPem !== undefined && keyPem !== undefined) {
    if (caKeyPem === undefined || stillGood(certPem, names, now)) return { dir: abs, caPath, caPem, certPem, keyPem };
  }

  await mkdir(abs, { recursive: true });
  const issue = await import('./issue.js');
  if (caPem !== undefined && caKeyPem !== undefined) {
    const leaf = issue.newLeaf(issue.caFromPem(caPem, caKeyPem), names, now);
    await writeFile(file(KEY_FILE), leaf.keyPem, { mode: 0o600 });
    await writeFile(file(CERT_FILE), leaf.certPem, { mode: 0o644 });
    return { dir: abs, caPath, caPem, ...leaf };
  }

  const generated = issue.generateTlsMaterial(names, now);
  // Keys are private to the user; certificates are public.
  await writeFile(file(CA_KEY_FILE), generated.caKeyPem, { mode: 0o600 });
  await writeFile(file(KEY_FILE), generated.keyPem, { mode: 0o600 });
  await writeFile(file(CERT_FILE), generated.certPem, { mode: 0o644 });
  // ca.pem last: with the others, its presence means a complete set.
  await writeFile(caPath, generated.caPem, { mode: 0o644 });
  return { dir: abs, caPath, caPem: generated.caPem, certPem: generated.certPem, keyPem: generated.keyPem };
}
