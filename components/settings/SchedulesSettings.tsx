"use client";

import { useId } from "react";
import { ScheduleForm } from "../schedules/ScheduleForm";
import { ScheduleList } from "../schedules/ScheduleList";

/** Settings › Schedules: every model's retraining schedules, and a form to add one. */
export function SchedulesSettings() {
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-h`} id="schedules">
      <h2 id={`${id}-h`}>Retraining schedules</h2>
      <p className="hint">
        At each tick one run is queued (unless the schedule&apos;s previous run is still going: the tick is skipped and noted). With
        auto-promotion, a run&apos;s candidate serves only when old and new are comparable, no test row was seen by the serving version,
        enough test rows were scored and the metric improved by at least the gain asked.
      </p>
      <ScheduleList isAdmin />
      <ScheduleForm />
    </section>
  );
}
