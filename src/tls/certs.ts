/**
 * TLS material for AMQPS and the HTTPS side of the admin port: a local CA and a server
 * certificate for localhost / 127.0.0.1 / ::1 signed by it. Users trust the CA
 * (`NODE_EXTRA_CA_CERTS=<dir>/ca.pem`, `SSL_CERT_FILE`, a Java trust store, ...), never the leaf.
 *
 * Files in the directory:
 *   ca.pem      the CA certificate (the only file clients need)
 *   ca-key.pem  the CA's private key (kept so the leaf can be re-issued by the same CA)
 *   cert.pem    the server certificate
 *   key.pem     the server's private key
 *
 * If ca.pem, cert.pem and key.pem exist they are used (users may bring their own).
 *
 * Extensions are chosen so that OpenSSL's strict mode (Python 3.13 default), Go's verifier
 * (SAN only, no CN fallback), Java and Node all accept the chain: CA with critical
 * basicConstraints CA:TRUE, keyUsage keyCertSign/cRLSign and a subjectKeyIdentifier; leaf with
 * CA:FALSE, digitalSignature/keyEncipherment, extKeyUsage serverAuth, subjectAltName and an
 * authorityKeyIdentifier.
 */
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';

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
/** The CA lives about ten years. */
const CA_VALIDITY_DAYS = 3650;
/**
 * The server certificate lives 825 days, the longest Apple platforms accept for a TLS server
 * certificate even under a user-installed CA (Go on macOS uses the platform verifier); mkcert
 * uses the same limit. It is re-issued by the same CA when it has expired (see ensureTlsMaterial).
 */
const LEAF_VALIDITY_DAYS = 825;
/** Backdating absorbs clock skew between the emulator's host and containers or VMs. */
const BACKDATE_MS = DAY_MS;

const SUBJECT_ORG = 'servicebus-emulator';

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Node's native RSA generation (forge's pure-JS one takes seconds), converted for forge. */
function newKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; privatePem: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return {
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
    privatePem: privateKey,
  };
}

/** A positive 16-byte serial number in hex (the high bit cleared so DER keeps it positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x01;
  return bytes.toString('hex');
}

export interface GeneratedTls {
  caPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

interface Ca {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

function newCa(now: number): { ca: Ca; caPem: string; caKeyPem: string } {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + CA_VALIDITY_DAYS * DAY_MS);
  const subject = [
    { name: 'commonName', value: `${SUBJECT_ORG} local CA` },
    { name: 'organizationName', value: SUBJECT_ORG },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { ca: { cert, key: keys.privateKey }, caPem: forge.pki.certificateToPem(cert), caKeyPem: keys.privatePem };
}

function newLeaf(ca: Ca, now: number): { certPem: string; keyPem: string } {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + LEAF_VALIDITY_DAYS * DAY_MS);
  cert.setSubject([
    { name: 'commonName', value: 'localhost' },
    { name: 'organizationName', value: SUBJECT_ORG },
  ]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** Generates a fresh CA and a server certificate for localhost, 127.0.0.1 and ::1. */
export function generateTlsMaterial(now = Date.now()): GeneratedTls {
  const { ca, caPem, caKeyPem } = newCa(now);
  return { caPem, caKeyPem, ...newLeaf(ca, now) };
}

/** Whether a PEM certificate is still valid for at least a day (false when unreadable). */
function stillValid(certPem: string, now: number): boolean {
  try {
    return Date.parse(new X509Certificate(certPem).validTo) > now + DAY_MS;
  } catch {
    return false;
  }
}

/**
 * Loads ca.pem, cert.pem and key.pem from `dir` (creating the directory if needed):
 * - all three present: used as they are, unless we generated them (ca-key.pem is there) and the
 *   server certificate has expired, in which case it is re-issued by the same CA, so clients that
 *   trust ca.pem keep working;
 * - ca.pem and ca-key.pem present but no server certificate: one is issued by that CA;
 * - otherwise: a new CA and server certificate are generated (ca.pem, ca-key.pem, cert.pem, key.pem).
 */
export async function ensureTlsMaterial(dir: string, now = Date.now()): Promise<TlsMaterial> {
  const abs = path.resolve(dir);
  const file = (name: string): string => path.join(abs, name);
  const caPath = file(CA_FILE);
  const [caPem, caKeyPem, certPem, keyPem] = await Promise.all([
    readIfExists(caPath),
    readIfExists(file(CA_KEY_FILE)),
    readIfExists(file(CERT_FILE)),
    readIfExists(file(KEY_FILE)),
  ]);

  if (caPem !== undefined && certPem !== undefined && keyPem !== undefined) {
    if (caKeyPem === undefined || stillValid(certPem, now)) return { dir: abs, caPath, caPem, certPem, keyPem };
  }

  await mkdir(abs, { recursive: true });
  if (caPem !== undefined && caKeyPem !== undefined) {
    const ca: Ca = {
      cert: forge.pki.certificateFromPem(caPem),
      key: forge.pki.privateKeyFromPem(caKeyPem) as forge.pki.rsa.PrivateKey,
    };
    const leaf = newLeaf(ca, now);
    await writeFile(file(KEY_FILE), leaf.keyPem, { mode: 0o600 });
    await writeFile(file(CERT_FILE), leaf.certPem, { mode: 0o644 });
    return { dir: abs, caPath, caPem, ...leaf };
  }

  const generated = generateTlsMaterial(now);
  // Keys are private to the user; certificates are public.
  await writeFile(file(CA_KEY_FILE), generated.caKeyPem, { mode: 0o600 });
  await writeFile(file(KEY_FILE), generated.keyPem, { mode: 0o600 });
  await writeFile(file(CERT_FILE), generated.certPem, { mode: 0o644 });
  // ca.pem last: with the others, its presence means a complete set.
  await writeFile(caPath, generated.caPem, { mode: 0o644 });
  return { dir: abs, caPath, caPem: generated.caPem, certPem: generated.certPem, keyPem: generated.keyPem };
}
