// How the run's requests leave (client/http.ts sends them): which certificates are trusted, which client
// certificate is offered, which headers every request carries and which proxy carries each request,
// from a target's settings.
import { existsSync, readFileSync } from 'node:fs';
import { getProxyForUrl } from 'proxy-from-env';
import { clientTls, PASSPHRASE_VARIABLE, VARIABLE_NAMES } from '../settings/client-certificate.ts';
import { asRecord } from '../settings/extra-headers.ts';
import { readCaFile, type Settings } from '../settings/targets.ts';
import { Transport, type TransportOptions } from './http.ts';

type Trust = Pick<
  Settings,
  'caFile' | 'insecure' | 'extraCaFile' | 'headers' | 'clientCertificate' | 'clientKeyPassphrase'
>;

/**
 * The CA file's certificates trusted besides Node's own (and those of NODE_EXTRA_CA_CERTS, which Node
 * drops once a CA is given), verification off only when asked, the client certificate when there is
 * one, the extra headers, and the proxy of HTTPS_PROXY / HTTP_PROXY / NO_PROXY (as curl reads them;
 * loopback is no exception). proxy-from-env reads those from process.env itself: they are the
 * process's, like NODE_EXTRA_CA_CERTS is Node's.
 */
export function transportOptions(settings: Trust): TransportOptions {
  const extra = settings.extraCaFile;
  const ca = settings.caFile
    ? [readCaFile(settings.caFile), ...(extra && existsSync(extra) ? [readFileSync(extra, 'utf8')] : [])].join('\n')
    : undefined;
  // The settings tried these files already: read again here, they fail only if changed meanwhile.
  const client =
    settings.clientCertificate &&
    clientTls(settings.clientCertificate, VARIABLE_NAMES, { [PASSPHRASE_VARIABLE]: settings.clientKeyPassphrase });
  return {
    ca,
    insecure: settings.insecure,
    proxyFor: (url) => getProxyForUrl(url) || undefined,
    ...(client ? { client } : {}),
    ...(settings.headers?.length ? { headers: asRecord(settings.headers) } : {}),
  };
}

const transports = new Map<string, Transport>();
/** This process's transport for a target's settings (one pool of connections per trust setting and headers). */
export function transportFor(settings: Trust): Transport {
  const key = JSON.stringify([
    settings.caFile,
    settings.extraCaFile,
    settings.insecure,
    settings.clientCertificate,
    settings.headers?.map((h) => [h.name, h.value]),
  ]);
  let transport = transports.get(key);
  if (!transport) {
    transport = new Transport(transportOptions(settings));
    transports.set(key, transport);
  }
  return transport;
}
