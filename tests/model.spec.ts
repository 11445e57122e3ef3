// The rules as a model, and the target held to it: random sequences of every operation on both bots,
// each bot's list compared with the model's after every step. It finds faults no hand-written check
// names (a delete that does not delete, an index that matches the wrong entry, state shared between
// bots, values cut or re-encoded, credentials compared loosely), each shrunk to its shortest sequence
// and reported under the rule it breaks. It needs the whole list, so it runs with the whole-list
// checks. It is no one rule's check but the model's, so it is titled MODEL and is the only check of
// this file, the section of its own in docs/rules.md: "Generated checks: the rules as a model"; each
// rule it covers has its own checks in its section's file.
import fc from 'fast-check';
import { test } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import { emptied, inTurn, planOf, steps } from '../driver/commands.ts';
import type { Target } from '../driver/target.ts';
import type { RunKey } from '../driver/search.ts';
import { World } from '../model/world.ts';
import { RULES, type RuleId } from '../rules/catalogue.ts';

type Sequence = Iterable<fc.AsyncCommand<World, Target, false>>;

// Every MUST rule a sequence can break: a failure of any of them is this check's own.
const DECIDED: RuleId[] = [
  'POST-VALID-200',
  'POST-400-NO-CHANGE',
  'ERROR-400-JSON',
  'UPSERT-REPLACES',
  'UPSERT-NO-DUPLICATE',
  'UPSERT-NO-MERGE',
  'UPSERT-OTHERS-UNTOUCHED',
  'CONCURRENT-UPSERTS',
  'GET-200-SHAPE',
  'GET-CONFIG-ROUNDTRIP',
  'GET-EMPTY-200',
  'DELETE-200',
  'DELETE-EMPTIES',
  'DELETE-THIS-BOT-ONLY',
  'AUTH-MISSING',
  'AUTH-WRONG-TOKEN',
  'AUTH-OTHER-BOT',
  'AUTH-401-JSON',
  'AUTH-NO-CHANGE',
  'ROBUST-NO-5XX',
  'ROBUST-NO-DROP',
  'ROBUST-NO-HANG',
  'REV-DELETE-ONE',
  // Every request goes out in a form of relations/catalogue.ts, and bodies and configs repeat.
  'HTTP-EQUIVALENT',
  'GET-ACCEPT-JSON',
  'REPEAT-SAME-EFFECT',
  // The invalid bodies a sequence posts break these: every rule that decides a refusal.
  ...RULES.filter((r) => r.refuses).map((r) => r.id),
];

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ model }) => {
  test(
    ...model(
      'generated sequences of every operation on every bot agree with the model of the rules after each step',
      async ({ explore, settings }) => {
        test.setTimeout(300_000);
        const { profile } = settings;
        const { bots } = explore;
        // Every other run one step at a time, the others with concurrent bursts, all in one search whose
        // runs go on together (driver/lanes.ts). The failures of the runs one step at a time are replayed
        // and shrunk first: a fault that a sequence shows is then never blamed on concurrency.
        const concurrent = (key: RunKey) => key.index % 2 === 1;
        await explore.search<[Sequence]>({
          // Few huge values: each one is read again by every later step of its run.
          weights: { huge: 1 },
          repeats: true,
          generate: (sources, key) =>
            [
              fc.commands([steps({ profile, bots, ...sources, stem: sources.pool[0], concurrent: concurrent(key) })], {
                maxCommands: 20,
              }),
            ] as [fc.Arbitrary<Sequence>],
          order: (key) => (concurrent(key) ? 1 : 0),
          plan: (sequence) => planOf(sequence, new World(profile, bots)),
          // Beside other runs, a run starts from lists its chunk emptied, on names of its own; alone, from empty lists.
          body: async (t, sequence) => {
            const world = t.world(profile, bots);
            if (t.lane) return inTurn(sequence, world, t);
            await fc.asyncModelRun(async () => {
              await emptied(world, t);
              return { model: world, real: t };
            }, sequence);
          },
          between: (t) => emptied(t.world(profile, bots), t),
        });
      },
      { covers: DECIDED },
    ),
  );
});
