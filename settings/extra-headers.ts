// Headers every request of the run carries, besides the suite's own: what an API gateway in front of
// the target wants (a key, a tenant). One syntax in the flag, the variable and the configuration file:
// `Name: value`, where a value written `env:NAME` is read from the variable NAME and is then a secret
// of the run (redacted like the tokens; a curl line shows it as $NAME).
import type { Env } from './environment.ts';
import { SettingsError } from './variables.ts';

export interface ExtraHeader {
  name: string;
  value: string;
  /** The variable the value was read from: the value is a secret, shown as `$variable`. */
  variable?: string;
}

/**
 * Headers the suite sets itself, or whose meaning its checks vary: one given here would break them
 * (a second Authorization defeats every credentials check, a Content-Length or Transfer-Encoding
 * misframes the body, an Accept overrides GET-ACCEPT-JSON's, Host and Connection are the transport's).
 */
const RESERVED = new Set([
  'authorization',
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'accept',
  'x-conformance-check',
]);

/** RFC 9110 § 5.6.2: a field name is a token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A value read from a variable: exactly `env:NAME`. No `$`: a shell would expand it inside double quotes. */
const FROM_ENV = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/** One header as written (`Name: value`), checked; `where` names the flag, variable or key it came from. */
function parseLine(line: string, where: string): { name: string; value: string } {
  const colon = line.indexOf(':');
  if (colon < 0) throw new SettingsError(`${where} takes 'Name: value'; '${shownName(line)}' has no colon`);
  return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
}

/** At most the start of what was typed: a value without its colon may be a secret. */
const shownName = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

function checked(name: string, value: string, where: string, env: Env): ExtraHeader {
  if (!TOKEN.test(name))
    throw new SettingsError(
      `${where}: '${shownName(name)}' is not a header name (letters, digits and !#$%&'*+.^_\`|~- only)`,
    );
  if (RESERVED.has(name.toLowerCase()))
    throw new SettingsError(
      `${where}: ${name} is the suite's own to set (its checks vary it, or it frames the request); it cannot be given`,
    );
  const variable = FROM_ENV.exec(value)?.[1];
  if (!variable) {
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value))
      throw new SettingsError(`${where}: the value of ${name} holds a control character`);
    return { name, value };
  }
  const secret = env[variable];
  if (!secret?.trim())
    throw new SettingsError(`${where}: ${name} takes its value from ${variable} (env:${variable}), which is not set`);
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(secret))
    throw new SettingsError(`${where}: ${variable}, the value of ${name}, holds a control character`);
  return { name, value: secret.trim(), variable };
}

/** Each header once: a second value for a name would be sent as a list the target may read either way. */
function once(headers: ExtraHeader[], where: string): ExtraHeader[] {
  const seen = new Set<string>();
  for (const h of headers) {
    if (seen.has(h.name.toLowerCase())) throw new SettingsError(`${where} gives ${h.name} twice`);
    seen.add(h.name.toLowerCase());
  }
  return headers;
}

/** CONFORMANCE_HEADERS (or --header's values, joined): one `Name: value` a line, blank lines ignored. */
export function headersFromText(text: string, where: string, env: Env): ExtraHeader[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return once(
    lines.map((line) => {
      const { name, value } = parseLine(line, where);
      return checked(name, value, where, env);
    }),
    where,
  );
}

/** The configuration file's `headers` (name → value, a value `env:NAME` as on the command line). */
export function headersFromConfig(headers: Record<string, string>, where: string, env: Env): ExtraHeader[] {
  return once(
    Object.entries(headers).map(([name, value]) => checked(name, value.trim(), where, env)),
    where,
  );
}

/** One header given to the command line, checked before anything starts (its variable comes later). */
export function checkHeaderFlag(flag: string, line: string): void {
  const { name, value } = parseLine(line, flag);
  checked(name, FROM_ENV.test(value) ? '' : value, flag, {});
}

/** The run's headers with a target's own: the target's value wins for a name both give. */
export function mergedHeaders(run: ExtraHeader[], own: ExtraHeader[]): ExtraHeader[] {
  const names = new Set(own.map((h) => h.name.toLowerCase()));
  return [...run.filter((h) => !names.has(h.name.toLowerCase())), ...own];
}

/** The variables a configuration file's headers read (env:NAME): known variables, whatever their prefix. */
export function variablesOf(headers: Record<string, string> | undefined): string[] {
  return Object.values(headers ?? {}).flatMap((v) => FROM_ENV.exec(v.trim())?.[1] ?? []);
}

/** As a request's headers: name → value. */
export const asRecord = (headers: readonly ExtraHeader[]): Record<string, string> =>
  Object.fromEntries(headers.map((h) => [h.name, h.value]));
