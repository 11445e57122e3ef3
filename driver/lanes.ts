// The runs of a chunk of a search, under way together against one target, so that a distant target
// costs the longest run's answers and not the sum of every run's. Each run posts names of its own
// (its pool grows from a stem of its own), so that runs cannot see one another's entries. What they
// cannot keep apart is ordered so that every run sees the same thing at every distance:
// - A name that holds no run's stem (an empty name, a number-like one) may be posted by several runs:
//   the runs that share such names go one after another, in one lane, in their order in the chunk,
//   each starting from what the one before left under those names.
// - A step that may empty a bot's whole list (a DELETE of the list) empties every run's entries on
//   that bot. Steps are counted in rounds (a lane's n-th step, across its runs): such a step at round
//   r waits until every other lane has finished its steps before round r, and every other lane's step
//   at round r or later waits for it, until its DELETE is answered: the other runs' models then
//   forget that list, and steps that empty nothing (they post and read names of their own) go on
//   beside the reads that check it; a step that may empty a list still waits for those reads. Every
//   run's model is emptied at the same point of its sequence, whatever the distance; steps that
//   empty nothing go on side by side.
import type { Provider } from '../contract/provider.ts';
import type { BotKey } from '../model/world.ts';

/** What a run will do, known before it starts: the names it posts, and which of its steps may empty a list. */
export interface Plan {
  names: string[];
  emptiesList: boolean[];
}

/** What a lane's runs hand on to the next one under the names no stem holds: each bot's entries under them. */
export type Inherited = Map<BotKey, Map<string, Provider>>;

/** One run's place in its lane: its rounds, and what the lanes tell it of the others. */
export interface LaneRun {
  /** Its stem: the names holding it are its own; any other it posts is shared. */
  stem: string;
  /** Runs `body` as the step at `round` (0 for the run's first), in turn with the other lanes. */
  turn<T>(round: number, emptiesList: boolean, body: () => Promise<T>): Promise<T>;
  /** Tells the other lanes that this run's step emptied `bot`'s list. */
  emptied(bot: BotKey): void;
  /** Another lane's step emptied `bot`'s list: what the run's model must now forget. */
  onEmptied(listener: (bot: BotKey) => void): void;
  /** What the lane's earlier runs left under the shared names. */
  inherited: Inherited;
  /** What this run leaves under the shared names, for the lane's next run. */
  leave(entries: Inherited): void;
  /** The names a run of this lane may see besides its own: the shared names its lane posts. */
  shared: ReadonlySet<string>;
}

interface Lane {
  /** Rounds done (every step before it has finished), across the lane's runs; Infinity when the lane is done. */
  done: number;
  /** The round under way, once its request that empties a list is answered. */
  answered?: number;
  /** The rounds whose step may empty a list, ascending. */
  emptying: number[];
  listeners: ((bot: BotKey) => void)[];
  inherited: Inherited;
  shared: Set<string>;
}

export class Lanes {
  readonly #lanes: Lane[];
  #wake: (() => void)[] = [];

  private constructor(lanes: Lane[]) {
    this.#lanes = lanes;
  }

  /**
   * Runs a chunk's runs in lanes: `plans[i]` and `stems[i]` are run i's. Runs that share a name no
   * stem holds go into one lane, in chunk order; `body(run, i)` runs each.
   */
  static async run(
    plans: Plan[],
    stems: string[],
    body: (run: LaneRun, index: number) => Promise<void>,
  ): Promise<void> {
    const groups = groupsOf(plans, stems);
    // Every lane's plan is known before any step starts: a step waits on what the others will do.
    const lanes = new Lanes(groups.map((group) => laneOf(group, plans, stems)));
    await Promise.all(groups.map((group, l) => lanes.#runLane(lanes.#lanes[l], group, plans, stems, body)));
  }

  async #runLane(
    lane: Lane,
    group: number[],
    plans: Plan[],
    stems: string[],
    body: (run: LaneRun, index: number) => Promise<void>,
  ): Promise<void> {
    let start = 0;
    try {
      for (const i of group) {
        const first = start;
        lane.listeners = [];
        const run: LaneRun = {
          stem: stems[i],
          turn: (round, emptiesList, step) => this.#turn(lane, first + round, emptiesList, step),
          emptied: (bot) => this.#emptied(lane, bot),
          onEmptied: (listener) => lane.listeners.push(listener),
          inherited: lane.inherited,
          leave: (entries) => {
            lane.inherited = entries;
          },
          shared: lane.shared,
        };
        try {
          await body(run, i);
        } finally {
          // A run that stopped early (it failed) gives up its remaining rounds.
          start += plans[i].emptiesList.length;
          lane.done = start;
          this.#changed();
        }
      }
    } finally {
      lane.done = Number.POSITIVE_INFINITY;
      this.#changed();
    }
  }

  async #turn<T>(lane: Lane, round: number, emptiesList: boolean, body: () => Promise<T>): Promise<T> {
    while (!this.#may(lane, round, emptiesList)) await new Promise<void>((r) => this.#wake.push(r));
    lane.answered = undefined;
    try {
      return await body();
    } finally {
      lane.done = Math.max(lane.done, round + 1);
      this.#changed();
    }
  }

  /** Every other lane's model forgets `bot`'s list, and what its runs hand on under it; the steps that empty nothing may go on. */
  #emptied(by: Lane, bot: BotKey): void {
    for (const lane of this.#lanes) {
      lane.inherited.get(bot)?.clear();
      if (lane !== by) for (const listener of lane.listeners) listener(bot);
    }
    by.answered = by.done;
    this.#changed();
  }

  #may(lane: Lane, round: number, emptiesList: boolean): boolean {
    const index = this.#lanes.indexOf(lane);
    return this.#lanes.every((other, i) => {
      if (other === lane) return true;
      // A step that empties a list goes after every other lane's earlier rounds, and after an earlier lane's emptying step of its round.
      if (emptiesList) return other.done >= round + (i < index && other.emptying.includes(round) ? 1 : 0);
      // Any other step goes after every other lane's emptying steps of its round and before (one whose DELETE is answered is past).
      const next = other.emptying.find((r) => r >= other.done && r !== other.answered);
      return next === undefined || next > round;
    });
  }

  #changed(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }
}

/** A lane's rounds that may empty a list, and the shared names its runs post. */
function laneOf(group: number[], plans: Plan[], stems: string[]): Lane {
  const lane: Lane = { done: 0, emptying: [], listeners: [], inherited: new Map(), shared: new Set() };
  let start = 0;
  for (const i of group) {
    plans[i].emptiesList.forEach((empties, k) => {
      if (empties) lane.emptying.push(start + k);
    });
    for (const name of plans[i].names) if (!name.includes(stems[i])) lane.shared.add(name);
    start += plans[i].emptiesList.length;
  }
  return lane;
}

/** Runs grouped by the names no stem holds that they share (each group ascending, groups by first run). */
function groupsOf(plans: Plan[], stems: string[]): number[][] {
  const parent = plans.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i];
    return i;
  };
  const owner = new Map<string, number>();
  plans.forEach((plan, i) => {
    for (const name of plan.names) {
      if (name.includes(stems[i])) continue;
      const o = owner.get(name);
      if (o === undefined) owner.set(name, i);
      else parent[root(i)] = root(o);
    }
  });
  const groups = new Map<number, number[]>();
  for (const i of plans.keys()) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}
