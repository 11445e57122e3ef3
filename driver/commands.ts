// The steps of a generated sequence, as fast-check commands: POST (new, reused and related names,
// invalid bodies), GET, DELETE of the list, the revision's DELETE of one provider, concurrent bursts
// on one bot and across bots, lists grown past a hundred entries and requests with near-miss
// credentials, on both bots. Each step sends its requests through the Target, tells the model
// (model/world.ts) what the answers meant, and has every bot's list held to it; `steps` weighs them.
import fc from 'fast-check';
import type { Profile } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import type { GeneratedPost } from '../generation/providers.ts';
import type { RequestOptions } from '../client/api.ts';
import { nearMisses } from '../client/credentials.ts';
import { IN_FLIGHT, is2xx, type Exchange } from '../client/http.ts';
import { answeredAs, judgesBodyOf, named } from '../rules/answers.ts';
import { ConformanceFailure, fail, inWaves, together } from '../verdicts/failure.ts';
import { jsonObjectBody, statusIs } from '../verdicts/assertions.ts';
import { shown } from '../verdicts/difference.ts';
import { robustnessOnly } from '../verdicts/robustness.ts';
import { ruleById, type RuleId } from '../rules/catalogue.ts';
import { equivalencesFor, ruleOn, type Equivalence, type Operation } from '../relations/catalogue.ts';
import type { StepContext } from '../model/divergence.ts';
import { clear, judge, removeOne, stored } from '../model/rules.ts';
import { BOT_NAMES, type BotKey, type World } from '../model/world.ts';
import { judgeAnswer } from './post-answer.ts';
import type { Plan } from './lanes.ts';
import { holds, type Forms, type Target } from './target.ts';

const nameOf = (post: GeneratedPost) => (post.name === undefined ? [] : [post.name]);

const summary = (post: GeneratedPost) => {
  const body = post.body as Partial<Provider> | undefined;
  const what =
    post.verdict.kind === 'valid'
      ? ''
      : post.verdict.kind === 'open'
        ? ` (open: ${post.verdict.why})`
        : ` (invalid: ${post.breaks ?? post.verdict.location})`;
  const config = body?.config && typeof body.config === 'object' ? Object.keys(body.config).join('+') : undefined;
  return `${post.name !== undefined ? shown(post.name) : 'a body'}${config ? ` with ${config}` : ''}${what}`;
};

/** A step of a sequence, and what the lanes must know of it before the run starts (driver/lanes.ts). */
export interface Step extends fc.AsyncCommand<World, Target, false> {
  /** It may empty a bot's whole list: it goes alone, between the rounds of the runs beside it. */
  readonly emptiesList: boolean;
  /** The names it posts (or deletes) beyond what the run posted before it. */
  names(): string[];
}

type Command = Step;

/** ` sent with …` when a step's request goes out in another form than the plain one, ` read with …` for its reads. */
const inForm = (form?: Equivalence, how = 'sent') => (form ? ` ${how} with ${form.what}` : '');
const formIds = (forms: Forms) =>
  [forms.request?.id, forms.read && `read ${forms.read.id}`]
    .filter(Boolean)
    .map((id) => `, ${id}`)
    .join('');

class Post implements Command {
  constructor(
    readonly bot: BotKey,
    readonly post: GeneratedPost,
    readonly forms: Forms = {},
  ) {}
  readonly emptiesList = false;
  names = () => nameOf(this.post);
  check = (w: Readonly<World>) => w.bots.includes(this.bot);
  async run(w: World, t: Target): Promise<void> {
    await t.formed(this.forms, 'POST', async (forms) => {
      const repeat = w.repeats(this.post.body);
      try {
        await this.#send(w, t, forms, this.post);
      } catch (e) {
        if (!repeat || !(e instanceof ConformanceFailure) || robustnessOnly(e.ruleId)) throw e;
        // The same step with a config never sent before, its every string kept but for a new start (what the
        // server does to the characters it holds happens again): if that goes as the rules say, sending this
        // one again is what broke it.
        const mark = `again-${w.sentBefore.size}-`;
        const config = JSON.parse(JSON.stringify((this.post.body as Provider).config), (_, v) =>
          typeof v === 'string' ? `${mark}${v}` : v,
        );
        const body = { ...(this.post.body as Provider), config };
        const twin: GeneratedPost = { ...this.post, body, text: JSON.stringify(body), verdict: judge(w.profile, body) };
        if (!(await holds(() => this.#send(w, t, forms, twin)))) throw e;
        throw new ConformanceFailure(
          'REPEAT-SAME-EFFECT',
          `${e.reason}; that body (or its config) had been posted before, and the same POST with a config never sent went as the rules say`,
        );
      }
    });
  }
  async #send(w: World, t: Target, { request: form, read }: Forms, post: GeneratedPost): Promise<void> {
    let status = 0;
    await t.step(
      () => `POST ${summary(post)} to ${BOT_NAMES[this.bot]}${inForm(form)}${inForm(read, 'read')} → ${status}`,
      async () => {
        const before = post.name === undefined ? undefined : w.lists.get(this.bot)!.get(post.name);
        w.sending(post);
        const what = `POST to ${BOT_NAMES[this.bot]}${inForm(form)}`;
        const x = await t.send(what, () => t.client(this.bot).postText(post.text, { form }));
        status = x.received.status;
        const taken = judgeAnswer(post, x, what);
        if (taken) w.take(this.bot, post.body as Provider);
        const here: StepContext = taken
          ? { kind: 'post', name: post.name!, before }
          : { kind: 'refused', as: 'bad-request' };
        await t.verify(
          w,
          (bot) => (bot === this.bot ? here : { kind: 'elsewhere', what: taken ? 'write' : 'bad-request' }),
          undefined,
          read,
        );
      },
    );
  }
  toString = () => `post(${this.bot}, ${summary(this.post)}${formIds(this.forms)})`;
}

class Read implements Command {
  constructor(
    readonly bot: BotKey,
    readonly forms: Forms = {},
  ) {}
  readonly emptiesList = false;
  names = () => [];
  check = (w: Readonly<World>) => w.bots.includes(this.bot);
  async run(w: World, t: Target): Promise<void> {
    await t.formed(this.forms, 'GET', ({ read }) =>
      t.step(
        () => `GET ${BOT_NAMES[this.bot]}'s list${inForm(read)}`,
        () => t.verify(w, () => ({ kind: 'read' }), [this.bot], read),
      ),
    );
  }
  toString = () => `read(${this.bot}${formIds(this.forms)})`;
}

class Clear implements Command {
  constructor(
    readonly bot: BotKey,
    readonly forms: Forms = {},
  ) {}
  readonly emptiesList = true;
  names = () => [];
  check = (w: Readonly<World>) => w.bots.includes(this.bot);
  async run(w: World, t: Target): Promise<void> {
    await t.formed(this.forms, 'DELETE', async ({ request: form, read }) => {
      let status = 0;
      await t.step(
        () => `DELETE ${BOT_NAMES[this.bot]}'s list${inForm(form)}${inForm(read, 'read')} → ${status}`,
        async () => {
          const list = w.lists.get(this.bot)!;
          const what = `DELETE of ${BOT_NAMES[this.bot]}'s list${inForm(form)}`;
          const x = await t.send(what, () => t.client(this.bot).clear({ form }));
          t.emptied(this.bot);
          status = x.received.status;
          // DELETE of an empty list is a SHOULD of its own (DELETE-IDEMPOTENT), decided by its own check.
          if (list.size && !answeredAs('DELETE-200', status))
            fail('DELETE-200', `${what}, which held ${list.size}, answered ${status}, not ${named('DELETE-200')}`);
          for (const name of list.keys()) w.deleted.get(this.bot)!.set(name, 'list');
          clear(list);
          await t.verify(
            w,
            (bot) => (bot === this.bot ? { kind: 'clear' } : { kind: 'elsewhere', what: 'delete' }),
            undefined,
            read,
          );
        },
      );
    });
  }
  toString = () => `clear(${this.bot}${formIds(this.forms)})`;
}

class Remove implements Command {
  constructor(
    readonly bot: BotKey,
    readonly name: string,
    readonly forms: Forms = {},
  ) {}
  readonly emptiesList = false;
  names = () => [this.name];
  check = (w: Readonly<World>) => w.bots.includes(this.bot) && w.profile === '2020-03-10';
  async run(w: World, t: Target): Promise<void> {
    await t.formed(this.forms, 'DELETE-ONE', (forms) => this.#run(w, t, forms));
  }
  async #run(w: World, t: Target, { request: form, read }: Forms): Promise<void> {
    let status = 0;
    await t.step(
      () =>
        `DELETE provider ${shown(this.name)} of ${BOT_NAMES[this.bot]}${inForm(form)}${inForm(read, 'read')} → ${status}`,
      async () => {
        const list = w.lists.get(this.bot)!;
        const held = list.has(this.name);
        const x = await t.send(`DELETE of provider ${shown(this.name)}${inForm(form)}`, () =>
          t.client(this.bot).remove(this.name, { form }),
        );
        status = x.received.status;
        // An unlisted name is left open by the revision: any answer but 5xx, and nothing changes.
        if (held && !answeredAs('REV-DELETE-ONE', status))
          fail(
            'REV-DELETE-ONE',
            `DELETE of listed provider ${shown(this.name)} answered ${status}, not ${named('REV-DELETE-ONE')}`,
          );
        if (held) {
          removeOne(list, this.name);
          w.deleted.get(this.bot)!.set(this.name, 'one');
        }
        await t.verify(w, (bot) =>
          bot === this.bot ? { kind: 'remove', name: this.name } : { kind: 'elsewhere', what: 'delete' },
        );
      },
    );
  }
  toString = () => `remove(${this.bot}, ${shown(this.name)}${formIds(this.forms)})`;
}

export interface BurstItem {
  bot: BotKey;
  post: GeneratedPost;
}

/** Concurrent POSTs (distinct names on each bot), sent in an order the scheduler picks; maybe a DELETE of a bot no POST goes to. */
class Burst implements Command {
  constructor(
    readonly items: BurstItem[],
    readonly clearing?: BotKey,
  ) {}
  get emptiesList(): boolean {
    return this.clearing !== undefined;
  }
  names = () => this.items.flatMap((i) => nameOf(i.post));
  check = (w: Readonly<World>) =>
    this.items.every((i) => w.bots.includes(i.bot)) && (!this.clearing || w.bots.includes(this.clearing));
  async run(w: World, t: Target): Promise<void> {
    // A body posted before is a repetition, which the steps that post again test one at a time: here it would
    // blur a lost update with an undone repeat.
    const items = this.items.filter((i) => !w.repeats(i.post.body));
    const order: string[] = [];
    await t.step(
      () => `at once, in this order: ${order.join('; ')}`,
      async () => {
        const sends = items.map((item) =>
          t.scheduler.schedule(Promise.resolve(), `POST ${item.post.name}`).then(async () => {
            order.push(`POST ${summary(item.post)} to ${BOT_NAMES[item.bot]}`);
            w.sending(item.post);
            const x = await t.send(`POST to ${BOT_NAMES[item.bot]} (concurrent)`, () =>
              t.client(item.bot).postText(item.post.text),
            );
            return judgeAnswer(item.post, x, `concurrent POST to ${BOT_NAMES[item.bot]}`);
          }),
        );
        const clearing = this.clearing;
        const cleared =
          clearing &&
          t.scheduler.schedule(Promise.resolve(), 'DELETE').then(async () => {
            order.push(`DELETE ${BOT_NAMES[clearing]}'s list`);
            const x = await t.send(`DELETE of ${BOT_NAMES[clearing]}'s list (concurrent)`, () =>
              t.client(clearing).clear(),
            );
            t.emptied(clearing);
            return x;
          });
        await t.scheduler.waitAll();
        const settled = await together<boolean | Exchange>([...sends, ...(cleared ? [cleared] : [])]);
        const taken = settled.slice(0, sends.length);
        items.forEach((item, i) => {
          if (taken[i]) w.take(item.bot, item.post.body as Provider);
        });
        if (clearing) {
          const list = w.lists.get(clearing)!;
          const status = (settled[sends.length] as Exchange).received.status;
          if (list.size && !answeredAs('DELETE-200', status))
            fail(
              'DELETE-200',
              `DELETE of ${BOT_NAMES[clearing]}'s list answered ${status}, not ${named('DELETE-200')}`,
            );
          for (const name of list.keys()) w.deleted.get(clearing)!.set(name, 'list');
          clear(list);
        }
        await t.verify(w, (bot) =>
          bot === clearing
            ? { kind: 'clear' }
            : { kind: 'burst', names: items.filter((i, n) => i.bot === bot && taken[n]).map((i) => i.post.name!) },
        );
      },
    );
  }
  toString = () =>
    `burst(${this.items.map((i) => `${i.bot}:${summary(i.post)}`).join(', ')}${this.clearing ? `, clear ${this.clearing}` : ''})`;
}

/**
 * n in three letters (aaa, aab, …): grown names are never a prefix of one another, nor of a pool name
 * (they start with 'grow-'), so that an index that matches by prefix is caught by the POST steps that
 * name it, not blamed on a step that posts a hundred names at once.
 */
const letters = (n: number): string =>
  [26 * 26, 26, 1].map((d) => String.fromCharCode(97 + (Math.floor(n / d) % 26))).join('');

/** What a step posts again: the last body (A, A), one since overwritten (A, B, A), the last config under another name, or the last body on the other bot. */
export type Again = 'last' | 'overwritten' | 'other-name' | 'other-bot';

/**
 * Posts again something the run has posted (docs/rules.md: a repeated request has exactly the effect
 * the rules give it): drawn among what was taken when the step runs, so that every sequence repeats,
 * whatever the seed. With nothing to repeat yet, it does nothing.
 */
class PostAgain implements Command {
  constructor(
    readonly bot: BotKey,
    readonly again: Again,
    readonly name: string,
    readonly forms: Forms = {},
  ) {}
  readonly emptiesList = false;
  // The other cases post again under names the run posted before.
  names = () => (this.again === 'other-name' ? [this.name] : []);
  check = (w: Readonly<World>) => w.bots.includes(this.bot) && (this.again !== 'other-bot' || w.bots.length > 1);
  async run(w: World, t: Target): Promise<void> {
    const mine = w.taken.filter((x) => x.bot === this.bot).map((x) => x.provider);
    const last = mine[mine.length - 1];
    if (!last) return;
    const post = (bot: BotKey, body: Provider) =>
      new Post(
        bot,
        { text: JSON.stringify(body), body, verdict: judge(w.profile, body), name: body.name },
        this.forms,
      ).run(w, t);
    const now = (p: Provider) => JSON.stringify(w.lists.get(this.bot)!.get(p.name));
    switch (this.again) {
      case 'last':
        return post(this.bot, last);
      case 'other-name':
        return post(this.bot, { ...last, name: this.name });
      case 'other-bot':
        return post(this.bot === 'first' ? 'second' : 'first', last);
      case 'overwritten': {
        // A body whose name now holds another; else the last one, after its name is given another config (A, B, A).
        const overwritten = mine.findLast((p) => now(p) !== JSON.stringify(stored(p)));
        if (!overwritten)
          await post(this.bot, { ...last, config: { bearer: `again-${w.grown++}-${last.name.length}` } });
        return post(this.bot, overwritten ?? last);
      }
    }
  }
  toString = () =>
    `postAgain(${this.bot}, ${this.again}${this.again === 'other-name' ? ` as ${shown(this.name)}` : ''}${formIds(this.forms)})`;
}

/**
 * Grows a bot's list past a hundred entries, its POSTs a wave at a time (distinct new names, so that
 * a distant target costs a few round trips, not a hundred). When the list then lacks some of them,
 * they are posted again one after another: if they stay, the POSTs at once lost them
 * (CONCURRENT-UPSERTS); if not, the list's own rule is broken, whatever the concurrency.
 */
class Grow implements Command {
  constructor(
    readonly bot: BotKey,
    readonly past: number,
    readonly stem: string,
    readonly mark: string,
  ) {}
  readonly emptiesList = false;
  // Its names hold the run's stem.
  names = () => [];
  check = (w: Readonly<World>) => w.bots.includes(this.bot);
  async run(w: World, t: Target): Promise<void> {
    const list = w.lists.get(this.bot)!;
    const count = Math.max(0, 100 + this.past - list.size);
    await t.step(
      () => `POST ${count} more providers to ${BOT_NAMES[this.bot]}, ${IN_FLIGHT} at a time, to list ${list.size}`,
      async () => {
        // Never a body an earlier run of the search sent (a server may remember those): this step grows, it does not repeat.
        const providers = Array.from({ length: count }, (): Provider => {
          const n = w.grown++;
          return {
            name: `grow-${this.stem}-${letters(n)}`,
            type: 'www',
            config: { bearer: `${this.mark}-${n}-${w.sentBefore.size}` },
          };
        });
        for (const provider of providers) w.sending(provider);
        const post = async (provider: Provider, i: number) => {
          const x = await t.send(`POST to ${BOT_NAMES[this.bot]}`, () => t.client(this.bot).post(provider));
          if (!answeredAs('POST-VALID-200', x.received.status))
            fail(
              'POST-VALID-200',
              `POST of provider ${i + 1} of ${count} answered ${x.received.status}, not ${named('POST-VALID-200')}`,
            );
        };
        await inWaves(providers, IN_FLIGHT, post);
        for (const provider of providers) w.take(this.bot, provider);
        const context = (bot: BotKey): StepContext =>
          bot === this.bot ? { kind: 'grow' } : { kind: 'elsewhere', what: 'write' };
        try {
          await t.verify(w, context);
        } catch (e) {
          if (!(e instanceof ConformanceFailure) || e.ruleId !== 'GET-READ-AFTER-WRITE') throw e;
          // What the list lacks, read again (the reason names only the first few).
          const listed = new Set((await t.read(this.bot)).providers.map((p) => p.name));
          const lost = providers.filter((p) => !listed.has(p.name));
          if (!lost.length) throw e;
          for (const provider of lost) await post(provider, providers.indexOf(provider));
          if (!(await holds(() => t.verify(w, context)))) throw e;
          fail(
            'CONCURRENT-UPSERTS',
            `${e.reason}; posted again one after another, they were listed: the POSTs ${IN_FLIGHT} at a time lost them`,
          );
        }
      },
    );
  }
  toString = () => `grow(${this.bot}, ${100 + this.past})`;
}

export type Credential = { kind: 'near-miss'; index: number } | { kind: 'other-bot' } | { kind: 'none' };

/** A request with bad credentials: 401 with a JSON body, and nothing changed. */
class SendBadCredentials implements Command {
  constructor(
    readonly bot: BotKey,
    readonly credential: Credential,
    readonly op: 'POST' | 'GET' | 'DELETE',
    readonly post: GeneratedPost,
    readonly forms: Forms = {},
  ) {}
  // A DELETE the rules refuse changes nothing, but one that a target takes anyway empties the list.
  get emptiesList(): boolean {
    return this.op === 'DELETE';
  }
  names = () => (this.op === 'POST' ? nameOf(this.post) : []);
  check = (w: Readonly<World>) =>
    w.bots.includes(this.bot) && (this.credential.kind !== 'other-bot' || w.bots.length > 1);
  #credential(t: Target): { rule: RuleId; what: string; options: RequestOptions } {
    const own = t.client(this.bot).bot.token;
    if (this.credential.kind === 'none')
      return { rule: 'AUTH-MISSING', what: 'no Authorization header', options: { authorization: null } };
    if (this.credential.kind === 'other-bot') {
      const other = t.client(this.bot === 'first' ? 'second' : 'first').bot.token;
      return { rule: 'AUTH-OTHER-BOT', what: "the other bot's token", options: { authorization: `Bearer ${other}` } };
    }
    const misses = nearMisses(own);
    const miss = misses[this.credential.index % misses.length];
    return {
      rule: 'AUTH-WRONG-TOKEN',
      what: `the token with ${miss.what}`,
      options: { authorization: `Bearer ${miss.token}` },
    };
  }
  async run(w: World, t: Target): Promise<void> {
    // A form that rewrites the credentials does not apply to a request without them.
    const { request, read } = this.forms;
    const form = this.credential.kind === 'none' && request?.needsAuthorization ? undefined : request;
    await t.formed({ request: form, read }, this.op, (forms) => this.#run(w, t, forms));
  }
  async #run(w: World, t: Target, { request: form, read }: Forms): Promise<void> {
    const { rule, what, options: credentials } = this.#credential(t);
    const options = { ...credentials, form };
    let status = 0;
    await t.step(
      () =>
        `${this.op} ${this.op === 'POST' ? `${summary(this.post)} ` : ''}on ${BOT_NAMES[this.bot]} with ${what}${inForm(form)}${inForm(read, 'read')} → ${status}`,
      async () => {
        const client = t.client(this.bot);
        if (this.op === 'POST') w.sending(this.post);
        const x = await t.send(`${this.op} with ${what}${inForm(form)}`, () =>
          this.op === 'POST'
            ? client.postText(this.post.text, options)
            : this.op === 'GET'
              ? client.list(options)
              : client.clear(options),
        );
        status = x.received.status;
        // Taken, it emptied the list: the runs beside this one must forget it too.
        if (this.op === 'DELETE' && is2xx(status)) t.emptied(this.bot);
        statusIs(rule, x);
        if (judgesBodyOf('AUTH-401-JSON', status)) jsonObjectBody('AUTH-401-JSON', x);
        if (this.op !== 'GET')
          await t.verify(
            w,
            (bot) =>
              bot === this.bot ? { kind: 'refused', as: 'credentials' } : { kind: 'elsewhere', what: 'credentials' },
            undefined,
            read,
          );
      },
    );
  }
  toString = () => `badCredentials(${this.bot}, ${this.credential.kind}, ${this.op}${formIds(this.forms)})`;
}

/** Where the steps take their data from. */
export interface StepSources {
  profile: Profile;
  bots: BotKey[];
  /** Valid and open bodies, names from a small pool. */
  valid: fc.Arbitrary<GeneratedPost>;
  /** Bodies that break one claimed constraint. */
  invalid: fc.Arbitrary<GeneratedPost>;
  /** Names of the pool (for the per-provider DELETE). */
  name: fc.Arbitrary<string>;
  /** Letters for grown names, unique to the run. */
  stem: string;
  /** With concurrent bursts: a search without them comes first, so that a fault a sequence shows is never blamed on concurrency. */
  concurrent: boolean;
}

/**
 * The form a step's request goes out in: the plain one half the time, else any equivalence of the
 * catalogue that applies to the operation and whose rule is a MUST (a SHOULD is its check's, never a
 * sequence's failure). A request with bad credentials never goes on a connection that has served (a
 * reused one is AUTH-PER-REQUEST's). Plain comes first, so that a failure shrinks to it when it can.
 */
function formOf(op: Operation, badCredentials = false): fc.Arbitrary<Equivalence | undefined> {
  const forms = equivalencesFor(op, true).filter(
    (e) => ruleById(ruleOn(e, op)).level === 'MUST' && !(badCredentials && e.connection === 'kept'),
  );
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.constantFrom(...forms), weight: 1 },
  );
}

/** The forms of a step's request and of the reads that check it, each drawn on its own. */
const formsOf = (op: Operation, badCredentials = false): fc.Arbitrary<Forms> =>
  fc.record({ request: formOf(op, badCredentials), read: formOf('GET') });

/** The weighted steps of a sequence. */
export function steps(s: StepSources): fc.Arbitrary<Step> {
  const bot = fc.constantFrom(...s.bots);
  const post = fc.oneof({ arbitrary: s.valid, weight: 5 }, { arbitrary: s.invalid, weight: 1 });
  const burst = fc
    .tuple(fc.array(fc.record({ bot, post: s.valid }), { minLength: 2, maxLength: 8 }), fc.option(bot, { freq: 3 }))
    .map(([items, clearing]) => {
      const seen = new Set<string>();
      const distinct = items.filter(
        (i) =>
          i.post.name !== undefined &&
          !seen.has(`${i.bot}\u0000${i.post.name}`) &&
          seen.add(`${i.bot}\u0000${i.post.name}`),
      );
      // A DELETE that races a POST on the same bot has no single right outcome: only a bot no POST goes to is cleared.
      const free = clearing !== null && !distinct.some((i) => i.bot === clearing) ? clearing : undefined;
      return new Burst(distinct, free);
    });
  const credential: fc.Arbitrary<Credential> = fc.oneof(
    { arbitrary: fc.nat(7).map((index) => ({ kind: 'near-miss' as const, index })), weight: 6 },
    { arbitrary: fc.constant({ kind: 'other-bot' as const }), weight: 1 },
    { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  );
  const growMark = fc.noShrink(
    fc.noBias(
      fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 12, maxLength: 12 }),
    ),
  );
  return fc.oneof(
    { arbitrary: fc.tuple(bot, post, formsOf('POST')).map(([b, p, f]) => new Post(b, p, f)), weight: 40 },
    {
      arbitrary: fc
        .tuple(
          bot,
          fc.oneof(
            { arbitrary: fc.constant<Again>('overwritten'), weight: 3 },
            { arbitrary: fc.constant<Again>('last'), weight: 2 },
            { arbitrary: fc.constantFrom<Again>('other-name', 'other-bot'), weight: 3 },
          ),
          s.name,
          formsOf('POST'),
        )
        .map(([b, again, name, f]) => new PostAgain(b, again, name, f)),
      weight: 16,
    },
    { arbitrary: fc.tuple(bot, formOf('GET')).map(([b, read]) => new Read(b, { read })), weight: 5 },
    { arbitrary: fc.tuple(bot, formsOf('DELETE')).map(([b, f]) => new Clear(b, f)), weight: 6 },
    ...(s.profile === '2020-03-10'
      ? [
          {
            arbitrary: fc.tuple(bot, s.name, formsOf('DELETE-ONE')).map(([b, n, f]) => new Remove(b, n, f)),
            weight: 8,
          },
        ]
      : []),
    ...(s.concurrent ? [{ arbitrary: burst, weight: 6 }] : []),
    {
      arbitrary: fc
        .tuple(bot, fc.integer({ min: 1, max: 25 }), growMark)
        .map(([b, past, mark]) => new Grow(b, past, s.stem, `grow${mark}`)),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(bot, credential, fc.constantFrom('POST' as const, 'GET' as const, 'DELETE' as const), s.valid)
        .chain(([b, c, op, p]) => formsOf(op, true).map((f) => new SendBadCredentials(b, c, op, p, f))),
      weight: 6,
    },
  );
}

/** Empties every bot's list through the API, the bots at once: the state every sequence starts from. What was listed counts as deleted. */
export async function emptied(world: World, t: Target): Promise<void> {
  await t.step(
    () => "DELETE every bot's list, to start from empty lists",
    () =>
      together(
        world.bots.map(async (bot) => {
          for (const p of (await t.read(bot)).providers) world.deleted.get(bot)!.set(p.name, 'list');
          await t.send(`DELETE of ${BOT_NAMES[bot]}'s list`, () => t.client(bot).clear());
          const left = (await t.read(bot, true)).providers;
          if (left.length)
            fail(
              'DELETE-EMPTIES',
              `GET of ${BOT_NAMES[bot]}'s list still lists ${left.length} provider(s) after DELETE`,
            );
        }),
      ),
    world.bots,
  );
}

/** fast-check's sequences yield its wrappers of the steps: the step itself. */
const unwrapped = (c: fc.AsyncCommand<World, Target, false>): Step => (c as { cmd?: Step }).cmd ?? (c as Step);

/** The steps of `sequence` a run takes (those whose check holds: each depends on the bots and profile only). */
const taken = (sequence: Iterable<fc.AsyncCommand<World, Target, false>>, world: World): Step[] =>
  [...sequence].map(unwrapped).filter((c) => c.check(world));

/** What the lanes must know of a sequence before it runs: its names, and which of its steps may empty a list. */
export function planOf(sequence: Iterable<fc.AsyncCommand<World, Target, false>>, world: World): Plan {
  const steps = taken(sequence, world);
  return { names: steps.flatMap((c) => c.names()), emptiesList: steps.map((c) => c.emptiesList) };
}

/** Runs a sequence beside other runs: each step in its turn (driver/lanes.ts), from lists the chunk emptied. */
export async function inTurn(
  sequence: Iterable<fc.AsyncCommand<World, Target, false>>,
  world: World,
  t: Target,
): Promise<void> {
  for (const [round, step] of taken(sequence, world).entries())
    await t.turn(round, step.emptiesList, () => step.run(world, t));
}
