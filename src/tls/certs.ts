export interface TlsMaterial {
  dir: string;
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

// Placeholder until TLS generation lands (issue 4): same signature.
export async function ensureTlsMaterial(_dir: string): Promise<TlsMaterial> {
  throw new Error('TLS material not implemented yet');
}
