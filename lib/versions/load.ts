import { readFile } from "node:fs/promises";
import path from "node:path";
import { modelsDir } from "../env";
import { ENCODER_HEAD_MODEL_TYPE, loadEncoderClassifier } from "../kinds/encoder/artifact";
import { loadClassifier, type Classifier } from "../onnx/classifier";

/** Loads any version folder as a Classifier, by its config.json's model_type. */
export async function loadAnyClassifier(dir: string): Promise<Classifier> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")) as { model_type?: string };
  if (config.model_type === ENCODER_HEAD_MODEL_TYPE) return loadEncoderClassifier(dir, { modelsDir: modelsDir() });
  return loadClassifier(dir);
}
