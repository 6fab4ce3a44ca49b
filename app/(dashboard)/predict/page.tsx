import type { Metadata } from "next";
import { PredictForm } from "@/components/predict/PredictForm";

export const metadata: Metadata = { title: "Predict" };

export default function PredictPage() {
  return (
    <section>
      <div className="page-header">
        <h1>Try the serving model</h1>
      </div>
      <p className="muted">
        Classify one text, many (one per line), or a column of a CSV file with the version that serves now. Over HTTP:{" "}
        <code>POST /api/predict</code> with <code>{`{"inputs": ["…"]}`}</code>.
      </p>
      <PredictForm />
    </section>
  );
}
