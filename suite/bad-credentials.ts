// The kinds of bad credentials decisions.md names, each with the rule it decides and how to send it.
import type { CheckFixtures } from '../fixtures/conformance.ts';
import type { ProviderApi, RequestOptions } from './api.ts';

export interface BadCredentials {
  rule: string;
  what: string;
  /** Needs only what every run has, so it also runs against a stateless mock. */
  stateless?: boolean;
  /** The client to send with (another region, say) and the request options that make it bad. */
  arrange: (f: CheckFixtures) => { client: ProviderApi; options: RequestOptions };
}

export const BAD_CREDENTIALS: BadCredentials[] = [
  { rule: 'AUTH-MISSING', what: 'no Authorization header', stateless: true, arrange: ({ api }) => ({ client: api, options: { authorization: null } }) },
  { rule: 'AUTH-MALFORMED', what: 'the Basic scheme', stateless: true, arrange: ({ api }) => ({ client: api, options: { authorization: `Basic ${Buffer.from(`${api.bot.id}:${api.bot.token}`).toString('base64')}` } }) },
  { rule: 'AUTH-MALFORMED', what: "'Bearer' with no token", stateless: true, arrange: ({ api }) => ({ client: api, options: { authorization: 'Bearer' } }) },
  { rule: 'AUTH-MALFORMED', what: 'the token without a scheme', arrange: ({ api }) => ({ client: api, options: { authorization: api.bot.token } }) },
  { rule: 'AUTH-WRONG-TOKEN', what: 'a wrong token', arrange: ({ api, make }) => ({ client: api, options: { authorization: `Bearer ${make.secret()}` } }) },
  { rule: 'AUTH-WRONG-TOKEN', what: 'the token with one character changed', arrange: ({ api }) => ({ client: api, options: { authorization: `Bearer ${flipLast(api.bot.token)}` } }) },
  { rule: 'AUTH-OTHER-BOT', what: "the second bot's token", arrange: ({ api, secondApi }) => ({ client: api, options: { authorization: `Bearer ${secondApi.bot.token}` } }) },
  { rule: 'AUTH-UNKNOWN-BOT', what: "an unknown bot id with the bot's own token", arrange: ({ api, make }) => ({ client: api, options: { botId: `${make.name()}-nobot` } }) },
  { rule: 'AUTH-OTHER-REGION', what: "the bot's own token on a region where it does not reside", arrange: ({ otherRegion }) => ({ client: otherRegion, options: {} }) },
];

function flipLast(token: string): string {
  const last = token.at(-1)!;
  return token.slice(0, -1) + (last === 'a' ? 'b' : 'a');
}
