// The target under test during one run of a generated sequence: its clients, the steps it records
// (their exchanges become the reported sequence), and the read that holds each bot's list to the
// model (model/world.ts) after every step, a divergence named by model/divergence.ts.
import type { Scheduler } from 'fast-check';
import type { Contract } from '../contract/openapi.ts';
import { ruleOn, type Equivalence, type Operation } from '../relations/catalogue.ts';
import type { Provider } from '../contract/provider.ts';
import type { ProviderApi } from '../client/api.ts';
import type { Exchange, Recorded } from '../client/http.ts';
import { answeredAs, named } from '../rules/answers.ts';
import { ConformanceFailure, fail } from '../verdicts/failure.ts';
import { firstDifference, shown, type SecretJudge } from '../verdicts/difference.ts';
import { providerList, type ProviderList } from '../verdicts/provider-list.ts';
import { survived, robustnessOnly } from '../verdicts/robustness.ts';
import { divergence, ruleOf, type Divergence, type StepContext } from '../model/divergence.ts';
import type { ProviderMap } from '../model/rules.ts';
import { BOT_NAMES, type BotKey, type World } from '../model/world.ts';

/** One step as it happened: what it did, and its exchanges (and its requests that got no answer). */
export interface RecordedStep {
  what: string;
  exchanges: Recorded[];
}

/** The forms a step's request and the reads after it go out in: the plain one where unset. */
export interface Forms {
  request?: Equivalence;
  read?: Equivalence;
}

/** Whether a step goes as the rules say. */
export async function holds(step: () => Promise<void>): Promise<boolean> {
  try {
    await step();
    return true;
  } catch {
    return false;
  }
}

/** The target under test during one run of a sequence. */
export class Target {
  readonly log: Recorded[] = [];
  readonly steps: RecordedStep[] = [];
  readonly #clients = new Map<BotKey, ProviderApi>();

  /**
   * `scheduler` orders concurrent requests (fast-check's: the order is generated, and shrunk).
   * `shapeKnown`: GET-200-SHAPE is already found broken, so a list of the wrong shape is read anyway.
   */
  constructor(
    clients: Map<BotKey, ProviderApi>,
    readonly contract: Contract,
    /** The run's redactor: judges what a list holds in a secret's place, for the reasons. */
    readonly secrets: SecretJudge,
    readonly scheduler: Scheduler,
    readonly shapeKnown = false,
  ) {
    for (const [bot, client] of clients) this.#clients.set(bot, client.logTo(this.log));
  }

  client(bot: BotKey): ProviderApi {
    return this.#clients.get(bot)!;
  }

  /** Records a step: its description and the exchanges it made. */
  async step<T>(what: () => string, body: () => Promise<T>): Promise<T> {
    const from = this.log.length;
    const record: RecordedStep = { what: '', exchanges: [] };
    this.steps.push(record);
    try {
      return await body();
    } finally {
      record.what = what();
      record.exchanges = this.log.slice(from);
    }
  }

  /**
   * Runs a step whose request, and the reads that check it, go out in other forms than the plain one
   * (relations/catalogue.ts). When it breaks a rule, the same step runs again sent plainly: if that
   * goes as the rules say, a form is what broke it, and the failure is its relation's rule (a body
   * read to its first chunk is not POST-VALID-200's fault): the request's form if the step still fails
   * with it alone, else the reads'. A 5xx, a drop or a hang stays a robustness failure.
   */
  async formed(forms: Forms, op: Operation, step: (forms: Forms) => Promise<void>): Promise<void> {
    try {
      await step(forms);
    } catch (e) {
      if (!(forms.request || forms.read) || !(e instanceof ConformanceFailure)) throw e;
      // A repetition already blamed (a step sent again with a new config went well) is not the form's doing.
      if (robustnessOnly(e.ruleId) || e.ruleId === 'REPEAT-SAME-EFFECT') throw e;
      // The request's form alone first, before any plain run has changed what the target holds.
      const onRequest = forms.request && (!forms.read || !(await holds(() => step({ request: forms.request }))));
      if (!(await holds(() => step({})))) throw e;
      const [form, on] = onRequest ? [forms.request!, op] : [forms.read!, 'GET' as const];
      throw new ConformanceFailure(
        ruleOn(form, on),
        `${e.reason} (${form.source}); sent and read plainly, the same step went as the rules say`,
      );
    }
  }

  /** Sends a request; a 5xx, a dropped connection or a hang is a robustness failure whatever the step. */
  send(what: string, request: () => Promise<Exchange>): Promise<Exchange> {
    return survived(what, request);
  }

  /**
   * GET of a bot's list, read with GET-200-SHAPE's checks; `empty`: the model says the list is empty,
   * so an answer other than GET-EMPTY-200's (a 404, say) is that rule's failure.
   */
  async read(bot: BotKey, empty = false, form?: Equivalence): Promise<ProviderList> {
    const x = await this.send(`GET of ${BOT_NAMES[bot]}'s list${form ? ` sent with ${form.what}` : ''}`, () =>
      this.client(bot).list({ form }),
    );
    const status = x.received.status;
    if (empty && !answeredAs('GET-EMPTY-200', status))
      fail('GET-EMPTY-200', `GET of ${BOT_NAMES[bot]}'s empty list answered ${status}, not ${named('GET-EMPTY-200')}`);
    return providerList(this.contract, x, this.shapeKnown ? () => undefined : undefined);
  }

  /** Reads `bots` and holds each list to the model; `contextOf` says what the step did to each. */
  async verify(
    world: World,
    contextOf: (bot: BotKey) => StepContext,
    bots: BotKey[] = world.bots,
    form?: Equivalence,
  ): Promise<void> {
    // Read at once (a distant target pays its latency once a step, not once a bot), judged in order.
    const lists = await Promise.allSettled(bots.map((bot) => this.read(bot, world.lists.get(bot)!.size === 0, form)));
    for (const [i, bot] of bots.entries()) {
      const read = lists[i];
      if (read.status === 'rejected') throw read.reason;
      const listed = read.value;
      const d = divergence(world.lists.get(bot)!, listed.providers);
      if (d)
        fail(
          ruleOf(d, contextOf(bot), { deleted: world.deleted.get(bot)!, sent: world.sent }, listed.providers),
          `then GET of ${BOT_NAMES[bot]}'s list ${described(d, world.lists.get(bot)!, listed.providers, this.secrets)}`,
        );
    }
  }
}

const names = (list: string[]) =>
  list.slice(0, 3).map(shown).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');

/** A divergence as a reason says it: a few names of each kind, and the first changed entry's first difference. */
function described(d: Divergence, model: ProviderMap, listed: Provider[], judge: SecretJudge): string {
  const parts: string[] = [];
  if (d.duplicates.length) parts.push(`lists ${names(d.duplicates)} more than once`);
  if (d.missing.length) parts.push(`lacks ${names(d.missing)}`);
  if (d.extra.length) parts.push(`lists ${names(d.extra)}, which the rules say it does not hold`);
  for (const name of d.changed.slice(0, 1)) {
    const entry = listed.find((p) => p.name === name)!;
    const expected = model.get(name)!;
    parts.push(
      `lists ${shown(name)} with ${firstDifference({ type: entry.type, config: entry.config }, { type: expected.type, config: expected.config }, '$', judge) ?? 'other content'} (last posted value expected)`,
    );
  }
  return parts.join('; ');
}
