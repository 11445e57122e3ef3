// How the run's requests leave (suite/http.ts sends them): which certificates are trusted and which
// proxy carries each request, from a target's settings.
import { existsSync, readFileSync } from 'node:fs';
import { getProxyForUrl } from 'proxy-from-env';
import { readCaFile, type Settings } from '../settings/targets.ts';
import { Transport, type TransportOptions } from './http.ts';

type Trust = Pick<Settings, 'caFile' | 'insecure' | 'extraCaFile'>;

/**
 * The CA file's certificates trusted besides Node's own (and those of NODE_EXTRA_CA_CERTS, which Node
 * drops once a CA is given), verification off only when asked, and the proxy of HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY (as curl reads them; loopback is no exception). proxy-from-env reads those
 * from process.env itself: they are the process's, like NODE_EXTRA_CA_CERTS is Node's.
 */
export function transportOptions(settings: Trust): TransportOptions {
  const extra = settings.extraCaFile;
  const ca = settings.caFile
    ? [readCaFile(settings.caFile), ...(extra && existsSync(extra) ? [readFileSync(extra, 'utf8')] : [])].join('\n')
    : undefined;
  return { ca, insecure: settings.insecure, proxyFor: (url) => getProxyForUrl(url) || undefined };
}

const transports = new Map<string, Transport>();
/** This process's transport for a target's settings (one pool of connections per trust setting). */
export function transportFor(settings: Trust): Transport {
  const key = `${settings.caFile ?? ''} ${settings.extraCaFile ?? ''} ${settings.insecure}`;
  let transport = transports.get(key);
  if (!transport) {
    transport = new Transport(transportOptions(settings));
    transports.set(key, transport);
  }
  return transport;
}
