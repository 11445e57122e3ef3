// The client certificate an https target that wants mutual TLS is shown: PEM certificate and key
// files, or one PKCS#12 file; a passphrase only from CONFORMANCE_CLIENT_KEY_PASSPHRASE (a flag would
// show in `ps`). Read and tried when the settings are read, so that a missing file, a wrong passphrase
// or a key of another certificate stops the run with one message before anything starts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import tls from 'node:tls';
import type { Env } from './environment.ts';
import { SettingsError } from './variables.ts';

export const PASSPHRASE_VARIABLE = 'CONFORMANCE_CLIENT_KEY_PASSPHRASE';

/** Where the client certificate comes from: its files, as absolute paths. */
export interface ClientCertificate {
  cert?: string;
  key?: string;
  pfx?: string;
}

/** The TLS options of a client certificate: what every https connection of the run offers. */
export interface ClientTls {
  cert?: Buffer;
  key?: Buffer;
  pfx?: Buffer;
  passphrase?: string;
}

/** The names of the settings, for the messages: the variables, or the configuration file's keys. */
export interface CertificateNames {
  cert: string;
  key: string;
  pfx: string;
}

export const VARIABLE_NAMES: CertificateNames = {
  cert: 'CONFORMANCE_CLIENT_CERT',
  key: 'CONFORMANCE_CLIENT_KEY',
  pfx: 'CONFORMANCE_CLIENT_PFX',
};

/** The files given, checked for their combination (a certificate needs its key; PKCS#12 holds both). */
export function clientCertificate(given: ClientCertificate, names: CertificateNames): ClientCertificate | undefined {
  const { cert, key, pfx } = given;
  if (pfx && (cert || key))
    throw new SettingsError(
      `${names.pfx} holds the certificate and its key: give it or ${names.cert} and ${names.key}, not both`,
    );
  if (Boolean(cert) !== Boolean(key))
    throw new SettingsError(`${names.cert} and ${names.key} go together: a client certificate needs its private key`);
  if (!cert && !pfx) return undefined;
  return pfx ? { pfx: resolve(pfx) } : { cert: resolve(cert!), key: resolve(key!) };
}

function readFile(path: string, name: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SettingsError(
      `${name} names ${path}, which cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/**
 * The certificate's TLS options, tried in a TLS context of their own: OpenSSL's own words for what is
 * wrong become a message naming the setting and what to do.
 */
export function clientTls(certificate: ClientCertificate, names: CertificateNames, env: Env): ClientTls {
  const passphrase = env[PASSPHRASE_VARIABLE] || undefined;
  const options: ClientTls = certificate.pfx
    ? { pfx: readFile(certificate.pfx, names.pfx) }
    : { cert: readFile(certificate.cert!, names.cert), key: readFile(certificate.key!, names.key) };
  if (passphrase) options.passphrase = passphrase;
  // Files swapped or mistaken are named before OpenSSL's words for them ('DECODER routines::unsupported').
  if (options.cert && !/-----BEGIN CERTIFICATE-----/.test(options.cert.toString('latin1')))
    throw new SettingsError(
      `${names.cert} names ${certificate.cert}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  if (options.key && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(options.key.toString('latin1')))
    throw new SettingsError(
      `${names.key} names ${certificate.key}, which holds no PEM private key (-----BEGIN … PRIVATE KEY-----)`,
    );
  try {
    tls.createSecureContext(options);
  } catch (e) {
    throw new SettingsError(problem(e as Error & { code?: string }, certificate, names, Boolean(passphrase)));
  }
  return options;
}

function problem(
  e: Error & { code?: string },
  certificate: ClientCertificate,
  names: CertificateNames,
  passphrase: boolean,
): string {
  const said = `${e.code ? `${e.code}: ` : ''}${e.message}`;
  const wrongPassphrase = passphrase
    ? `${PASSPHRASE_VARIABLE} is not its passphrase`
    : `it is encrypted and ${PASSPHRASE_VARIABLE} is not set`;
  if (certificate.pfx) {
    if (/mac verify|bad decrypt|unsupported/i.test(e.message))
      return `${names.pfx} names ${certificate.pfx}, which cannot be opened: ${wrongPassphrase} (or it is not PKCS#12) (${said})`;
    return `${names.pfx} names ${certificate.pfx}, which is not a PKCS#12 file of a certificate and its key (${said})`;
  }
  if (/key values mismatch/i.test(e.message))
    return `${names.key} names ${certificate.key}, which is not the private key of the certificate in ${names.cert} (${certificate.cert}) (${said})`;
  if (/bad decrypt|bad password|interrupted or cancelled|PROBLEMS_GETTING_PASSWORD/i.test(said))
    return `${names.key} names ${certificate.key}, which cannot be decrypted: ${wrongPassphrase} (${said})`;
  if (/no start line|PEM/i.test(said))
    return `${names.cert} (${certificate.cert}) and ${names.key} (${certificate.key}) must be PEM files of a certificate and its private key (${said})`;
  return `the client certificate of ${names.cert} (${certificate.cert}) and ${names.key} (${certificate.key}) cannot be used (${said})`;
}
