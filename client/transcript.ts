// A redacted, human-readable record of a test's exchanges, with curl lines that replay them: status,
// every header (credentials shown as the variable that holds them, or masked) and bodies with every
// secret masked, enough to debug a failure without exposing what the run was trusted with. A request
// that got no answer is recorded with what became of it, and replays like any other.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { basicOf, nearMisses } from './credentials.ts';
import { isAnswered, type Recorded, type Sent } from './http.ts';
import { MASK, type Secrets } from './redaction.ts';
import type { Settings } from '../settings/targets.ts';

const BODY_LIMIT = 2000;
/** How much of each body a failure's message shows of the exchange it judged: a glance, the rest is in the reports. */
const JUDGED_BODY = 300;

export function transcript(exchanges: readonly Recorded[], secrets: Secrets, settings: Settings): string {
  if (exchanges.length === 0) return 'No request was sent.';
  const text = exchanges
    .map((x, i) => {
      const { sent } = x;
      const requestBody = sent.body === undefined ? '' : redactBody(sent.body, secrets);
      return [
        `#${i + 1} (${x.ms.toFixed(1)} ms)${isAnswered(x) && x.reused ? ' on a reused connection' : ''}`,
        `> ${sent.method} ${secrets.redact(sent.url)}`,
        sent.form && `> (sent with ${sent.form}, written on a connection of the suite's own)`,
        ...Object.entries(sent.headers).map(([k, v]) => `> ${k}: ${headerShown(k, v, settings, secrets)}`),
        requestBody && `> ${requestBody.trim()}`,
        ...(isAnswered(x)
          ? [
              `< ${x.received.status}`,
              ...Object.entries(x.received.headers).map(([k, v]) => `< ${k}: ${secrets.redact(String(v))}`),
              x.received.text && `< ${redactBody(x.received.text, secrets).trim()}`,
            ]
          : [`< ${x.unanswered}`]),
        `replay: ${curl(x, settings, secrets)}`,
      ]
        .filter(Boolean)
        .join('\n');
    })
    .join('\n\n');
  return secrets.redact(text); // the last net: nothing above may have missed a secret
}

/**
 * What a failed check judged, for its failure's message: the last exchange of its log (the answer it
 * judged, or its last request, unanswered) in a few lines, so that the terminal shows what the server
 * was asked and what it answered without a report opened. Redacted as the transcript is, bodies
 * redacted first and then clipped, and where the check's HAR file is, when it has one.
 */
export function judged(
  exchanges: readonly Recorded[],
  secrets: Secrets,
  settings: Settings,
  harPath?: string,
  /** The exchange the failure names; without it, the check's last. */
  chosen?: Recorded,
): string {
  const x = chosen ?? exchanges.at(-1);
  if (!x) return '';
  const glance = (body: string) => {
    const text = redactBody(body, secrets).trim().replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    return text.length > JUDGED_BODY ? `${text.slice(0, JUDGED_BODY)}… (${body.length} characters)` : text;
  };
  const type = isAnswered(x) ? x.received.headers['content-type'] : undefined;
  const lines = [
    `Judged: ${x.sent.method} ${secrets.redact(x.sent.url)}`,
    ...Object.entries(x.sent.headers)
      .filter(([k]) => k.toLowerCase() !== 'x-conformance-check')
      .map(([k, v]) => `  > ${k}: ${headerShown(k, v, settings, secrets)}`),
    x.sent.body !== undefined && `  > ${glance(x.sent.body)}`,
    isAnswered(x) ? `  < ${x.received.status}${type ? ` ${secrets.redact(type)}` : ''}` : `  < ${x.unanswered}`,
    isAnswered(x) && x.received.text && `  < ${glance(x.received.text)}`,
    harPath && `HAR: ${relative(process.cwd(), harPath)}`,
  ];
  return secrets.redact(lines.filter(Boolean).join('\n'));
}

/**
 * What each credential the suite derives stands for, by the variable that holds the token: a reader
 * learns which kind a server took (`$API_TOKEN with its last character changed`), never its value.
 */
function credentialLabels(settings: Settings): Map<string, string> {
  const labels = new Map<string, string>();
  for (const [bot, variable] of [
    [settings.secondBot, '$SECOND_API_TOKEN'],
    [settings.bot, '$API_TOKEN'],
  ] as const) {
    if (!bot) continue;
    for (const miss of nearMisses(bot.token)) labels.set(miss.token, `«${variable} with ${miss.what}»`);
    labels.set(basicOf(bot), `«base64 of ${variable === '$API_TOKEN' ? '$BOT_ID' : '$SECOND_BOT_ID'}:${variable}»`);
    labels.set(bot.token, variable);
  }
  return labels;
}

/**
 * A sent header as the transcript shows it. Authorization, whatever its form (a scheme and a
 * credential, a credential alone, a scheme alone), shows the configured tokens as the variables that
 * hold them, a credential derived from one by what it is, and any other credential masked; an extra
 * header whose value came from a variable shows that variable.
 */
export function headerShown(name: string, value: string, settings: Settings, secrets: Secrets): string {
  if (name.toLowerCase() !== 'authorization') {
    // An extra header's value read from a variable is a secret: shown as that variable, as a token is.
    const secret = settings.headers?.find((h) => h.variable && h.name.toLowerCase() === name.toLowerCase());
    return secret && value === secret.value ? `$${secret.variable}` : secrets.redact(value);
  }
  const labels = credentialLabels(settings);
  const parts = /^([^ \t]+)([ \t]+)(.*)$/s.exec(value); // HTTP separates by spaces and tabs: a no-break space belongs to the credential
  if (!parts) return labels.get(value) ?? (/^(bearer|basic)$/i.test(value) ? value : MASK);
  const [, scheme, , credential] = parts;
  return `${/^[A-Za-z]+$/.test(scheme) && !labels.has(scheme) ? scheme : MASK} ${labels.get(credential) ?? (credential ? MASK : '')}`.trim();
}

/** A curl line that sends a request again: credentials as the variables that hold them or masked, secrets masked. */
export function curl(x: { sent: Sent }, settings: Settings, secrets: Secrets): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const url = quote(secrets.redact(x.sent.url));
  const parts = [
    'curl -i',
    ...(x.sent.version === '1.0' ? ['--http1.0'] : []),
    ...(x.sent.absolute ? ['--request-target', url] : []),
    '-X',
    x.sent.method,
    url,
  ];
  // curl sends Accept: */* of its own unless told not to: a request without Accept is replayed without it.
  if (!Object.keys(x.sent.headers).some((k) => k.toLowerCase() === 'accept')) parts.push('-H', quote('Accept:'));
  // The check's label is for the server's log (the transcript shows it); a replay needs none.
  for (const [k, v] of Object.entries(x.sent.headers).filter(([k]) => k.toLowerCase() !== 'x-conformance-check')) {
    const value = headerShown(k, v, settings, secrets);
    parts.push('-H', value.includes('$') && !value.includes('«') ? `"${k}: ${value}"` : quote(`${k}: ${value}`));
  }
  if (x.sent.body !== undefined) {
    parts.push(
      ...(x.sent.body.length > BODY_LIMIT
        ? ['--data-binary', `@${replayFile(x.sent.body, secrets, settings.reportDir)}`]
        : ['--data-raw', quote(redactBody(x.sent.body, secrets))]),
    );
  }
  return parts.join(' ');
}

/**
 * A body too long for a curl line, written (redacted) beside the reports, named by its content so
 * that a body sent twice is one file: reports/replay/<hash>.body, as the curl line reads it.
 */
function replayFile(body: string, secrets: Secrets, reportDir: string): string {
  const text = secrets.redact(body);
  const dir = join(reportDir, 'replay');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.body`);
  writeFileSync(file, text);
  return relative(process.cwd(), file);
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
