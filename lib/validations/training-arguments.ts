import { z } from "zod";
import {
  anyInteger,
  bool,
  closedUnitInterval,
  intAtLeast,
  jsonObject,
  nonNegativeNumber,
  oneOf,
  positiveNumber,
  stepsOrFraction,
  stepsOrFractionOrZero,
  str,
  strList,
  unitInterval,
} from "./value-types";

// Every field of Hugging Face `transformers.TrainingArguments` (plus `evaluation_strategy`, its
// older spelling), each with its type and range. A request may carry any of them, as the original system's
// did; the trainers apply some and the run's log lists the others as ignored, with why.

export const evaluationStrategy = oneOf(["no", "steps", "epoch"]);

/** What the starter model's trainer applies (the encoder-head trainer applies these too). */
export const appliedArgumentsShape = {
  learning_rate: positiveNumber,
  num_train_epochs: positiveNumber,
  per_device_train_batch_size: intAtLeast(1),
  per_device_eval_batch_size: intAtLeast(1),
  weight_decay: nonNegativeNumber,
  seed: anyInteger,
  eval_strategy: evaluationStrategy,
  evaluation_strategy: evaluationStrategy,
  eval_steps: stepsOrFraction,
  logging_steps: stepsOrFraction,
  warmup_ratio: closedUnitInterval,
  label_smoothing_factor: unitInterval,
  load_best_model_at_end: bool,
  metric_for_best_model: oneOf(["eval_loss", "loss", "eval_accuracy", "accuracy"]),
  greater_is_better: bool,
};

/**
 * Early stopping, as transformers' EarlyStoppingCallback names its arguments (not TrainingArguments
 * fields, so not in the Settings defaults); every model kind applies them (lib/training/best-model.ts):
 * - early_stopping_patience: integer ≥ 0   (evaluations without improvement before stopping; 0 = off)
 * - early_stopping_threshold: number ≥ 0   (the least improvement that counts; default 0)
 */
export const earlyStoppingShape = {
  early_stopping_patience: intAtLeast(0),
  early_stopping_threshold: nonNegativeNumber,
};

export const EARLY_STOPPING_NAMES: ReadonlySet<string> = new Set(Object.keys(earlyStoppingShape));

/** What the encoder-head trainer applies besides the above (the starter ignores them). */
export const headArgumentsShape = {
  warmup_steps: stepsOrFractionOrZero,
  adam_beta1: unitInterval,
  adam_beta2: unitInterval,
  adam_epsilon: positiveNumber,
  max_grad_norm: nonNegativeNumber,
};

const optStr = str.nullable();
const optBool = bool.nullable();
const strOrList = z.union([str, strList], { error: "must be a string or a list of strings" });
const strOrObject = z.union([str, jsonObject], { error: "must be a string or a JSON object" }).nullable();
const logLevel = oneOf(["debug", "info", "warning", "error", "critical", "passive"]);

/** Accepted and typed as Hugging Face types them, applied by neither trainer. */
const otherArgumentsShape = {
  output_dir: optStr,
  overwrite_output_dir: bool,
  do_train: bool,
  do_eval: bool,
  do_predict: bool,
  prediction_loss_only: bool,
  per_gpu_train_batch_size: intAtLeast(1).nullable(),
  per_gpu_eval_batch_size: intAtLeast(1).nullable(),
  gradient_accumulation_steps: intAtLeast(1),
  eval_accumulation_steps: intAtLeast(1).nullable(),
  eval_delay: nonNegativeNumber.nullable(),
  torch_empty_cache_steps: intAtLeast(1).nullable(),
  max_steps: intAtLeast(-1),
  lr_scheduler_type: str,
  lr_scheduler_kwargs: strOrObject,
  log_level: logLevel,
  log_level_replica: logLevel,
  log_on_each_node: bool,
  logging_dir: optStr,
  logging_strategy: oneOf(["no", "steps", "epoch"]),
  logging_first_step: bool,
  logging_nan_inf_filter: bool,
  save_strategy: oneOf(["no", "steps", "epoch", "best"]),
  save_steps: stepsOrFraction,
  save_total_limit: intAtLeast(0).nullable(),
  save_safetensors: optBool,
  save_on_each_node: bool,
  save_only_model: bool,
  restore_callback_states_from_checkpoint: bool,
  no_cuda: bool,
  use_cpu: bool,
  use_mps_device: bool,
  data_seed: anyInteger.nullable(),
  jit_mode_eval: bool,
  use_ipex: bool,
  bf16: bool,
  fp16: bool,
  fp16_opt_level: str,
  half_precision_backend: str,
  bf16_full_eval: bool,
  fp16_full_eval: bool,
  tf32: optBool,
  local_rank: anyInteger,
  ddp_backend: optStr,
  tpu_num_cores: intAtLeast(1).nullable(),
  tpu_metrics_debug: bool,
  debug: strOrList,
  dataloader_drop_last: bool,
  dataloader_num_workers: intAtLeast(0),
  dataloader_prefetch_factor: intAtLeast(1).nullable(),
  past_index: anyInteger,
  run_name: optStr,
  disable_tqdm: optBool,
  remove_unused_columns: optBool,
  label_names: strList.nullable(),
  ignore_data_skip: bool,
  fsdp: z.union([bool, str, strList], { error: "must be true or false, a string or a list of strings" }).nullable(),
  fsdp_min_num_params: intAtLeast(0),
  fsdp_config: strOrObject,
  fsdp_transformer_layer_cls_to_wrap: optStr,
  accelerator_config: strOrObject,
  deepspeed: strOrObject,
  optim: str,
  optim_args: optStr,
  adafactor: bool,
  group_by_length: bool,
  length_column_name: str,
  report_to: strOrList.nullable(),
  ddp_find_unused_parameters: optBool,
  ddp_bucket_cap_mb: intAtLeast(1).nullable(),
  ddp_broadcast_buffers: optBool,
  dataloader_pin_memory: bool,
  dataloader_persistent_workers: bool,
  skip_memory_metrics: bool,
  use_legacy_prediction_loop: bool,
  push_to_hub: bool,
  resume_from_checkpoint: optStr,
  hub_model_id: optStr,
  hub_strategy: oneOf(["end", "every_save", "checkpoint", "all_checkpoints"]),
  hub_token: optStr,
  hub_private_repo: optBool,
  hub_always_push: bool,
  gradient_checkpointing: bool,
  gradient_checkpointing_kwargs: strOrObject,
  include_inputs_for_metrics: bool,
  include_for_metrics: strList,
  eval_do_concat_batches: bool,
  fp16_backend: str,
  push_to_hub_model_id: optStr,
  push_to_hub_organization: optStr,
  push_to_hub_token: optStr,
  mp_parameters: str,
  auto_find_batch_size: bool,
  full_determinism: bool,
  torchdynamo: optStr,
  ray_scope: optStr,
  ddp_timeout: intAtLeast(1),
  torch_compile: bool,
  torch_compile_backend: optStr,
  torch_compile_mode: optStr,
  dispatch_batches: optBool,
  split_batches: optBool,
  include_tokens_per_second: optBool,
  include_num_input_tokens_seen: z.union([bool, str], { error: "must be true or false or a string" }).nullable(),
  neftune_noise_alpha: nonNegativeNumber.nullable(),
  optim_target_modules: strOrList.nullable(),
  batch_eval_metrics: bool,
  eval_on_start: bool,
  use_liger_kernel: optBool,
  eval_use_gather_object: optBool,
  average_tokens_across_devices: optBool,
};

/** Every TrainingArguments name, typed as a model whose trainer does not apply it would take it. */
export const trainingArgumentsShape = {
  ...otherArgumentsShape,
  ...headArgumentsShape,
  ...appliedArgumentsShape,
};

export const TRAINING_ARGUMENT_NAMES: ReadonlySet<string> = new Set(Object.keys(trainingArgumentsShape));

/** TrainingArguments the starter model's trainer acts on; every other accepted name is logged as ignored. */
export const APPLIED_TRAINING_ARGUMENTS: ReadonlySet<string> = new Set(Object.keys(appliedArgumentsShape));

/** TrainingArguments the encoder-head trainer acts on; every other accepted name is logged as ignored. */
export const HEAD_APPLIED_TRAINING_ARGUMENTS: ReadonlySet<string> = new Set([...Object.keys(appliedArgumentsShape), ...Object.keys(headArgumentsShape)]);

/** The parsed arguments the starter's trainer reads (early stopping included). */
export type StarterTrainingArguments = Partial<z.output<z.ZodObject<typeof appliedArgumentsShape>>> & Partial<z.output<z.ZodObject<typeof earlyStoppingShape>>>;

/** The parsed arguments the encoder-head trainer reads (head options aside). */
export type HeadTrainingArguments = StarterTrainingArguments & Partial<z.output<z.ZodObject<typeof headArgumentsShape>>>;

/** Why an accepted name does nothing here, for the run's log. */
export function whyIgnored(name: string): string {
  if (name === "output_dir" || name.startsWith("save_") || name.startsWith("overwrite"))
    return "versions are stored by content hash in the database and models/versions, not in an output folder";
  if (/fp16|bf16|tf32|half_precision|cuda|mps|ipex|tpu|ddp|fsdp|deepspeed|local_rank|gradient_checkpointing|torch_|accelerator|liger/.test(name))
    return "a hardware or distributed-training setting that does not apply to the CPU trainer";
  if (/hub|push_to_hub|report_to|logging_dir|run_name|disable_tqdm|log_level|log_on/.test(name))
    return "progress and logs go to the dashboard; nothing is pushed or reported elsewhere";
  return "not used by this model's trainer";
}
