/**
 * Issuing certificates: a local CA, and server certificates signed by it for the names asked for.
 * Loaded only when a certificate must be made (node-forge is the largest module the emulator has,
 * and a start with a valid TLS directory never needs it).
 *
 * Extensions are chosen so that OpenSSL's strict mode (Python 3.13 default), Go's verifier
 * (SAN only, no CN fallback), Java and Node all accept the chain: CA with critical
 * basicConstraints CA:TRUE, keyUsage keyCertSign/cRLSign and a subjectKeyIdentifier; leaf with
 * CA:FALSE, digitalSignature/keyEncipherment, extKeyUsage serverAuth, subjectAltName and an
 * authorityKeyIdentifier.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

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

export interface Ca {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export function newCa(now: number): { ca: Ca; caPem: string; caKeyPem: string } {
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

/** A DNS name or an IP address as a subjectAltName entry. */
function altName(name: string): { type: number; value?: string; ip?: string } {
  return isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name };
}

export function newLeaf(ca: Ca, names: readonly string[], now: number): { certPem: string; keyPem: string } {
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
      altNames: names.map(altName),
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** The CA of a generated directory, read back to issue a new server certificate. */
export function caFromPem(caPem: string, caKeyPem: string): Ca {
  return { cert: forge.pki.certificateFromPem(caPem), key: forge.pki.privateKeyFromPem(caKeyPem) as forge.pki.rsa.PrivateKey };
}

export interface GeneratedTls {
  caPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

/** Generates a fresh CA and a server certificate for the names given. */
export function generateTlsMaterial(names: readonly string[], now = Date.now()): GeneratedTls {
  const { ca, caPem, caKeyPem } = newCa(now);
  return { caPem, caKeyPem, ...newLeaf(ca, names, now) };
}
