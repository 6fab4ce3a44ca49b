"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "./api";

/**
 * A mutation that runs on a target only once a ConfirmDialog is confirmed: `ask(target)` opens the
 * dialog, `dialog` holds its open/busy/error/confirm/cancel props. Success closes it; cancelling
 * closes it and forgets the last error.
 */
export function useConfirmedMutation<T, R = unknown>(mutationFn: (target: T) => Promise<R>, onSuccess: (result: R) => void) {
  const [target, setTarget] = useState<T | null>(null);
  const mutation = useMutation({
    mutationFn,
    onSuccess: (result) => {
      setTarget(null);
      onSuccess(result);
    },
  });
  return {
    target,
    ask: (t: T) => setTarget(t),
    dialog: {
      open: target !== null,
      busy: mutation.isPending,
      error: mutation.isError ? errorMessage(mutation.error) : null,
      onConfirm: () => {
        if (target !== null) mutation.mutate(target);
      },
      onCancel: () => {
        setTarget(null);
        mutation.reset();
      },
    },
  };
}
