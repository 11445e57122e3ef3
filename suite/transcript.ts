// A redacted, human-readable record of a test's exchanges, with curl lines that replay them: status,
// every header (credentials shown as the variable that holds them, or masked) and bodies with every
// secret masked, enough to debug a failure without exposing what the run was trusted with.
import type { Exchange } from './http.ts';
import { MASK, type Secrets } from './redaction.ts';
import type { Settings } from './settings.ts';

const BODY_LIMIT = 2000;

export function transcript(exchanges: Exchange[], secrets: Secrets, settings: Settings): string {
  if (exchanges.length === 0) return 'No exchange completed.';
  const text = exchanges.map((x, i) => {
    const { sent, received } = x;
    const requestBody = sent.body === undefined ? '' : redactBody(sent.body, secrets);
    const responseBody = received.text ? redactBody(received.text, secrets) : '';
    const headers = Object.entries(received.headers).map(([k, v]) => `${k}: ${secrets.redact(String(v))}`).join('\n');
    return [
      `#${i + 1} (${x.ms.toFixed(1)} ms)`,
      `> ${sent.method} ${secrets.redact(sent.url)}`,
      ...Object.entries(sent.headers).map(([k, v]) => `> ${k}: ${headerShown(k, v, settings, secrets)}`),
      requestBody && `> ${requestBody.trim()}`,
      `< ${received.status}`,
      headers.replace(/^/gm, '< '),
      responseBody && `< ${responseBody.trim()}`,
      `replay: ${curl(x, settings, secrets)}`,
    ].filter(Boolean).join('\n');
  }).join('\n\n');
  return secrets.redact(text); // the last net: nothing above may have missed a secret
}

/**
 * A sent header as the transcript shows it. Authorization, whatever its form (a scheme and a
 * credential, a credential alone, a scheme alone), shows the configured token as the variable that
 * holds it and any other credential masked, so a failure still tells which credential was sent.
 */
function headerShown(name: string, value: string, settings: Settings, secrets: Secrets): string {
  if (name.toLowerCase() !== 'authorization') return secrets.redact(value);
  const variable = (credential: string) => (credential === settings.bot.token ? '$API_TOKEN'
    : credential === settings.secondBot?.token ? '$SECOND_API_TOKEN' : undefined);
  const parts = /^(\S+)(\s+)(.*)$/s.exec(value);
  if (!parts) return variable(value) ?? (/^(bearer|basic)$/i.test(value) ? value : MASK);
  const [, scheme, , credential] = parts;
  return `${/^[A-Za-z]+$/.test(scheme) && !variable(scheme) ? scheme : MASK} ${variable(credential) ?? (credential ? MASK : '')}`.trim();
}

/** A curl line that replays an exchange: credentials as the variables that hold them or masked, secrets masked. */
export function curl(x: Exchange, settings: Settings, secrets: Secrets): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl -i', '-X', x.sent.method, quote(secrets.redact(x.sent.url))];
  // The check's label is for the server's log (the transcript shows it); a replay needs none.
  for (const [k, v] of Object.entries(x.sent.headers).filter(([k]) => k !== 'x-conformance-check')) {
    const value = headerShown(k, v, settings, secrets);
    parts.push('-H', value.includes('$') ? `"${k}: ${value}"` : quote(`${k}: ${value}`));
  }
  if (x.sent.body !== undefined) {
    parts.push('--data-raw', x.sent.body.length > BODY_LIMIT ? `'<${x.sent.body.length}-character body, not shown>'` : quote(redactBody(x.sent.body, secrets)));
  }
  return parts.join(' ');
}

/** A body with secret-bearing keys masked (when it is JSON) and every known secret replaced, cut to BODY_LIMIT. */
function redactBody(text: string, secrets: Secrets): string {
  if (text.length <= BODY_LIMIT) {
    try {
      return JSON.stringify(secrets.redactJson(JSON.parse(text)));
    } catch {
      return secrets.redact(text);
    }
  }
  // Cut first (a huge body is never scanned whole), then redacted, a secret the cut halved included.
  return secrets.redactClipped(text, BODY_LIMIT);
}
