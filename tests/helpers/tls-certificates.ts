import { generate } from 'selfsigned';

export interface KeyAndCertificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate. */
  cert: string;
}

const ONE_DAY_AGO = (): Date => new Date(Date.now() - 86_400_000);
const IN_A_YEAR = (): Date => new Date(Date.now() + 365 * 86_400_000);

/** A certificate authority made at test time (EC P-256: fast to generate). */
export async function makeCertificateAuthority(commonName: string): Promise<KeyAndCertificate> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: ONE_DAY_AGO(),
    notAfterDate: IN_A_YEAR(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** The names a server certificate holds. @default localhost and 127.0.0.1 */
export interface CertificateNames {
  dns: string[];
  ips: string[];
}

/**
 * A server certificate for `names` (subjectAltName set: Node checks the SAN, not the CN), signed
 * by `ca`, or self-signed when `ca` is omitted.
 */
export async function makeServerCertificate(
  ca?: KeyAndCertificate,
  names: CertificateNames = { dns: ['localhost'], ips: ['127.0.0.1'] },
): Promise<KeyAndCertificate> {
  const pems = await generate([{ name: 'commonName', value: names.dns[0] ?? names.ips[0] }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: ONE_DAY_AGO(),
    notAfterDate: IN_A_YEAR(),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.dns.map((value) => ({ type: 2 as const, value })),
          ...names.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
    ...(ca ? { ca } : {}),
  });
  return { key: pems.private, cert: pems.cert };
}
