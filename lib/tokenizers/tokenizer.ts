// Loads a model folder's tokenizer with transformers.js (the class its tokenizer_config.json names).
// Turning texts into ids is ./encode.ts's (re-exported here), which does not need transformers.js.
import * as transformers from "@huggingface/transformers";
import { PreTrainedTokenizer } from "@huggingface/transformers";
import { attachFastPath, readTokenizerFiles, type Tokenizer } from "./encode";

export { encodeOne, encodeTexts, encodeTextsAsync, hasFastPath, loadIdEncoder, type IdEncoder, type Tokenizer } from "./encode";

/**
 * Reads `tokenizer.json` and `tokenizer_config.json` from `dir` and builds the class named by
 * `tokenizer_class`, exactly as `AutoTokenizer.from_pretrained` does, but without its hub/file
 * caches (which memoise by path, so a folder rewritten in place would load stale) and without any
 * chance of a network request.
 */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  return tokenizerFrom(await readTokenizerFiles(dir));
}

/** loadTokenizer on the two files already read. */
export function tokenizerFrom({ tokenizerJson, tokenizerConfig }: Awaited<ReturnType<typeof readTokenizerFiles>>): Tokenizer {
  const name = String(tokenizerConfig.tokenizer_class ?? "PreTrainedTokenizer").replace(/Fast$/, "");
  const exported = (transformers as Record<string, unknown>)[name];
  const Cls =
    typeof exported === "function" && (exported === PreTrainedTokenizer || exported.prototype instanceof PreTrainedTokenizer)
      ? (exported as typeof PreTrainedTokenizer)
      : PreTrainedTokenizer;
  const tok = new Cls(tokenizerJson as object, tokenizerConfig);
  attachFastPath(tok, tokenizerJson);
  return tok;
}
