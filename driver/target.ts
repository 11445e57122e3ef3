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
import { clear, type ProviderMap } from '../model/rules.ts';
import { BOT_NAMES, World, type BotKey } from '../model/world.ts';
import type { Profile } from '../contract/openapi.ts';
import type { LaneRun } from './lanes.ts';

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

  /** GET-200-SHAPE is already found broken, so a list of the wrong shape is read anyway. */
  readonly shapeKnown: boolean;
  /** The run's lane, when it runs beside others (driver/lanes.ts): it sees only its own names. */
  readonly lane?: LaneRun;
  /** Every body (and config) the check posted before this run, and this run's own: see World.sentBefore. */
  readonly sentBefore: Set<string>;
  #world?: World;

  /** `scheduler` orders concurrent requests (fast-check's: the order is generated, and shrunk). */
  constructor(
    clients: Map<BotKey, ProviderApi>,
    readonly contract: Contract,
    /** The run's redactor: judges what a list holds in a secret's place, for the reasons. */
    readonly secrets: SecretJudge,
    readonly scheduler: Scheduler,
    options: { shapeKnown?: boolean; lane?: LaneRun; sentBefore?: Set<string> } = {},
  ) {
    this.shapeKnown = options.shapeKnown ?? false;
    this.lane = options.lane;
    this.sentBefore = options.sentBefore ?? new Set();
    for (const [bot, client] of clients) this.#clients.set(bot, client.logTo(this.log));
  }

  /**
   * The run's model of the target: empty lists, or, beside other runs, what its lane's runs before
   * it left under the names no stem holds. Another lane's DELETE of a list empties it here too.
   */
  world(profile: Profile, bots: BotKey[]): World {
    const world = new World(profile, bots, this.sentBefore);
    this.#world = world;
    const lane = this.lane;
    if (!lane) return world;
    for (const [bot, entries] of lane.inherited)
      for (const [name, provider] of entries) world.lists.get(bot)?.set(name, provider);
    lane.onEmptied((bot) => {
      const list = world.lists.get(bot);
      if (!list?.size) return;
      for (const name of list.keys()) world.deleted.get(bot)!.set(name, 'list');
      clear(list);
      this.steps.push({ what: `meanwhile, a run beside this one deleted ${BOT_NAMES[bot]}'s list`, exchanges: [] });
    });
    return world;
  }

  /** Whether a listed name is this run's to see: all are, unless it runs beside others. */
  owns(name: string): boolean {
    return !this.lane || name.includes(this.lane.stem) || this.lane.shared.has(name);
  }

  /** Runs a step at `round` of the sequence, in turn with the other lanes (driver/lanes.ts). */
  turn<T>(round: number, emptiesList: boolean, body: () => Promise<T>): Promise<T> {
    return this.lane ? this.lane.turn(round, emptiesList, body) : body();
  }

  /** Tells the runs beside this one that its step deleted `bot`'s list. */
  emptied(bot: BotKey): void {
    this.lane?.emptied(bot);
  }

  /** The run is over: what its model holds under the names no stem holds goes to its lane's next run. */
  finish(): void {
    const lane = this.lane;
    const world = this.#world;
    if (!lane || !world) return;
    lane.leave(
      new Map(
        [...world.lists].map(([bot, list]) => [bot, new Map([...list].filter(([name]) => !name.includes(lane.stem)))]),
      ),
    );
  }

  client(bot: BotKey): ProviderApi {
    return this.#clients.get(bot)!;
  }

  /**
   * Records a step: its description and the exchanges it made, in the order they were sent, so that
   * the same seed reports the same step whichever answer came first; with `byBot`, a step whose bots
   * go at once, each on its own chain of requests, lists each bot's exchanges together in that order.
   */
  async step<T>(what: () => string, body: () => Promise<T>, byBot?: readonly BotKey[]): Promise<T> {
    const from = this.log.length;
    const record: RecordedStep = { what: '', exchanges: [] };
    this.steps.push(record);
    try {
      return await body();
    } finally {
      record.what = what();
      const made = this.log.slice(from);
      // An exchange to no bot's list comes after the bots'.
      const rank = (x: Recorded) => {
        const i = byBot?.findIndex((bot) => x.sent.url === this.client(bot).listUrl()) ?? 0;
        return i < 0 ? byBot!.length : i;
      };
      record.exchanges = made.sort((a, b) => rank(a) - rank(b) || (a.issued ?? 0) - (b.issued ?? 0));
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
      const listed = { ...read.value, providers: read.value.providers.filter((p) => this.owns(p.name)) };
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
