import { readFile } from "node:fs/promises";
import path from "node:path";
import { loadClassifier, type Classifier } from "./inference";

/** Loads any version folder as a Classifier, by its config.json's model_type. */
export async function loadAnyClassifier(dir: string): Promise<Classifier> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")) as { model_type?: string };
  if (config.model_type === "encoder-head") {
    throw new Error("encoder-head versions cannot be loaded yet");
  }
  return loadClassifier(dir);
}
