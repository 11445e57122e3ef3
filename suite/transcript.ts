// A redacted, human-readable record of a test's exchanges, with curl lines that replay them.
import type { Exchange } from './http.ts';
import { MASK, type Secrets } from './redaction.ts';
import type { Settings } from './settings.ts';

const BODY_LIMIT = 2000;

export function transcript(exchanges: Exchange[], secrets: Secrets, settings: Settings): string {
  if (exchanges.length === 0) return 'No exchange completed.';
  return exchanges.map((x, i) => {
    const { sent, received } = x;
    const requestBody = sent.body === undefined ? '' : `\n${clip(redactBody(sent.body, secrets))}`;
    const responseBody = received.text ? `\n${clip(redactBody(received.text, secrets))}` : '';
    const headers = Object.entries(received.headers).map(([k, v]) => `${k}: ${secrets.redact(String(v))}`).join('\n');
    return [
      `#${i + 1} (${x.ms.toFixed(1)} ms)`,
      `> ${sent.method} ${sent.url}`,
      ...Object.entries(sent.headers).map(([k, v]) => `> ${k}: ${k === 'authorization' ? tokenPlaceholder(v, settings) : secrets.redact(v)}`),
      requestBody && `> ${requestBody.trim()}`,
      `< ${received.status}`,
      headers.replace(/^/gm, '< '),
      responseBody && `< ${responseBody.trim()}`,
      `replay: ${curl(x, settings, secrets)}`,
    ].filter(Boolean).join('\n');
  }).join('\n\n');
}

/** Shows which configured token was sent by its variable's name, never its value. */
function tokenPlaceholder(header: string, settings: Settings): string {
  const [scheme, ...rest] = header.split(' ');
  const token = rest.join(' ');
  if (token === settings.bot.token) return `${scheme} $API_TOKEN`;
  if (token === settings.secondBot?.token) return `${scheme} $SECOND_API_TOKEN`;
  return token ? `${scheme} ${MASK}` : header;
}

function curl(x: Exchange, settings: Settings, secrets: Secrets): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl -i', '-X', x.sent.method, quote(x.sent.url)];
  for (const [k, v] of Object.entries(x.sent.headers)) {
    const value = k === 'authorization' ? tokenPlaceholder(v, settings) : secrets.redact(v);
    parts.push('-H', value.includes('$') ? `"${k}: ${value}"` : quote(`${k}: ${value}`));
  }
  if (x.sent.body !== undefined) {
    const body = redactBody(x.sent.body, secrets);
    parts.push('--data-raw', body.length > BODY_LIMIT ? `'<${x.sent.body.length}-character body, not shown>'` : quote(body));
  }
  return parts.join(' ');
}

function redactBody(text: string, secrets: Secrets): string {
  try {
    return JSON.stringify(secrets.redactJson(JSON.parse(text)));
  } catch {
    return secrets.redact(text);
  }
}

function clip(text: string): string {
  return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}… (${text.length} characters)` : text;
}
