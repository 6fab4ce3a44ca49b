// A run's progress bar and ETA: the phases a run goes through and their spans (lib/runs/phase-plan.ts),
// and the ETA smoothing of the reporter (lib/runs/eta.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createPhasePlan, phaseSpans, runPhases, type Phase } from "../../lib/runs/phase-plan";
import { smoothEta, type EtaState } from "../../lib/runs/eta";
import { trainerPhases } from "../../lib/kinds/trainers";

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test("a run's phases: fetching, the kind's own, saving; evaluating-old only when an old model is scored", () => {
  assert.deepEqual(runPhases(trainerPhases("starter"), { scoresOld: false }), ["fetching", "tokenizing", "training", "evaluating-new", "saving"]);
  assert.deepEqual(runPhases(trainerPhases("starter"), { scoresOld: true }), ["fetching", "evaluating-old", "tokenizing", "training", "evaluating-new", "saving"]);
  assert.deepEqual(runPhases(trainerPhases("encoder"), { scoresOld: true }), ["fetching", "encoding", "evaluating-old", "training", "evaluating-new", "saving"]);
});

test("the spans of a run's phases tile 0..1 in order, with no gap between one phase and the next", () => {
  for (const kind of ["starter", "encoder"] as const) {
    for (const scoresOld of [false, true]) {
      const phases = runPhases(trainerPhases(kind), { scoresOld });
      const spans = phaseSpans(phases);
      let end = 0;
      for (const p of phases) {
        const [a, b] = spans[p]!;
        close(a, end, `${kind} ${p} starts where the previous phase ended`);
        assert.ok(b > a, `${kind} ${p} has a share`);
        end = b;
      }
      close(end, 1, `${kind}: the last phase ends at 1`);
      assert.equal(Object.keys(spans).length, phases.length, "no span for a phase the run does not have");
    }
  }
});

test("the plan's progress only moves forward through a run, also when the plan drops evaluating-old after fetching", () => {
  const plan = createPhasePlan(runPhases(trainerPhases("starter"), { scoresOld: true }));
  const seen: number[] = [];
  const walk = (phases: Phase[]) => {
    for (const p of phases) for (const f of [0, 0.5, 1]) seen.push(plan.at(p, f));
  };
  walk(["fetching"]);
  plan.use(runPhases(trainerPhases("starter"), { scoresOld: false }));
  walk(["tokenizing", "training", "evaluating-new", "saving"]);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1] - 1e-12, `progress went back at ${i}: ${seen.join(", ")}`);
  close(seen[seen.length - 1], 1, "ends at 1");
  // The end of tokenizing is the start of training: no jump.
  close(plan.at("tokenizing", 1), plan.at("training", 0), "tokenizing → training");
  // A phase outside the plan stays where the previous planned phase ended; fractions are clamped.
  close(plan.at("evaluating-old", 0.5), plan.at("fetching", 1), "an unplanned phase");
  close(plan.at("training", 7), plan.at("training", 1), "clamped above");
  close(plan.at("training", Number.NaN), plan.at("training", 0), "NaN counts as 0");
  assert.deepEqual(plan.phases(), ["fetching", "tokenizing", "training", "evaluating-new", "saving"]);
});

test("the ETA: the first estimate of a phase as it is, later ones blended in over time, counting down between them", () => {
  let s: EtaState | null = smoothEta(null, 180, "training", 0);
  assert.equal(s!.eta, 180);
  // 1 s later the loop says 25 s: the shown ETA moves toward it, far from both 179 and 25.
  s = smoothEta(s, 25, "training", 1000);
  assert.ok(s!.eta < 179 && s!.eta > 100, `after 1 s: ${s!.eta}`);
  // Steady estimates that agree with the countdown are followed.
  let t = 1000;
  for (let i = 0; i < 60; i++) {
    t += 1000;
    s = smoothEta(s, Math.max(0, 25 - (t - 1000) / 1000), "training", t);
  }
  assert.ok(Math.abs(s!.eta - 0) < 2, `converged: ${s!.eta}`);
  // No swing between consecutive updates a quarter second apart.
  let prev = smoothEta(null, 180, "tokenizing", 0)!;
  for (let i = 1; i <= 40; i++) {
    const next = smoothEta(prev, i % 2 ? 25 : 180, "tokenizing", i * 250)!;
    assert.ok(Math.abs(next.eta - prev.eta) < 25, `swing at ${i}: ${prev.eta} → ${next.eta}`);
    prev = next;
  }
  // A new phase starts afresh; a sample that is not a number of seconds changes nothing.
  assert.equal(smoothEta(prev, 42, "evaluating-new", 20_000)!.eta, 42);
  assert.equal(smoothEta(prev, Number.NaN, "tokenizing", 20_000), prev);
  assert.equal(smoothEta(null, -1, "tokenizing", 0), null);
});
