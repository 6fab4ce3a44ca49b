// The starter model's hottest loops as WebAssembly SIMD (f32x4), in the WebAssembly text
// format; lib/training/wasm-kernels.ts compiles it once per process with wabt and instantiates it
// on the shared memory that holds the weights. On batches shaped like the 700,000-row bench
// table's (31 texts of 60–200 tokens drawn Zipf-like from 30,000 ids, dim 64, 5 labels; one thread
// of the 2-core machine), a JavaScript step took 2.9 ms, of which the mean of each text's embedding
// rows 0.7 ms and the lazy AdamW update of the touched rows 2.0 ms; on the kernels, which also
// gather the touched rows' coefficient vectors (backwardInto), the whole step takes 0.7–1.0 ms.
// The update is bound by memory (scattered rows of three tables): each row touches the next row's
// cache lines before its own arithmetic, which saved about a tenth. Every kernel needs dim to be a
// multiple of 4; addresses are byte offsets into the memory.
//
// meanPool(ids, offs, B, E, pooled, dim):
//   for b < B: pooled[b·dim …] = mean of E[ids[t]·dim …] for t in [offs[b], offs[b+1])  (0 when empty)
// adamRows(rows, count, coef, C, wt, dim, theta, m, v, stepSize, invSqrtBc2, eps, decay, b1, b2):
//   for s < count, r = rows[s], g = Σ_c wt[c·dim …] · coef[s·C + c]  (wt is the head weight transposed: C × dim):
//   m ← b1·m + (1−b1)·g;  v ← b2·v + (1−b2)·g²;  θ ← θ·decay − stepSize·m / (√v·invSqrtBc2 + eps)   on row r of theta, m, v
// gatherRows(ids, offs, B, dl, C, slotOf, rows, coef) → count: the backward pass of meanPool's batch
//   (static-model.ts backwardInto): every distinct id gets a slot (slotOf[id], −1 when it has none)
//   and coef[slot·C …] += dl[b·C …] / n_b for each of its occurrences in text b
// resetSlots(rows, count, slotOf): slotOf[rows[s]] = −1 for s < count
export const KERNELS_WAT = `
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "meanPool")
    (param $ids i32) (param $offs i32) (param $B i32) (param $E i32) (param $pooled i32) (param $dim i32)
    (local $b i32) (local $t i32) (local $end i32) (local $out i32) (local $row i32) (local $d i32)
    (local $bytes i32) (local $inv v128)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $doneB (loop $eachB
      (br_if $doneB (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $out (i32.add (local.get $pooled) (i32.mul (local.get $b) (local.get $bytes))))
      (local.set $d (i32.const 0))
      (block $doneZ (loop $eachZ
        (br_if $doneZ (i32.ge_u (local.get $d) (local.get $bytes)))
        (v128.store (i32.add (local.get $out) (local.get $d)) (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $eachZ)))
      (local.set $t (i32.load (i32.add (local.get $offs) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $end (i32.load (i32.add (local.get $offs) (i32.shl (i32.add (local.get $b) (i32.const 1)) (i32.const 2)))))
      (if (i32.gt_u (local.get $end) (local.get $t)) (then
        (local.set $inv (f32x4.splat (f32.div (f32.const 1) (f32.convert_i32_u (i32.sub (local.get $end) (local.get $t))))))
        (block $doneT (loop $eachT
          (br_if $doneT (i32.ge_u (local.get $t) (local.get $end)))
          (local.set $row (i32.add (local.get $E)
            (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $t) (i32.const 2)))) (local.get $bytes))))
          (local.set $d (i32.const 0))
          (block $doneD (loop $eachD
            (br_if $doneD (i32.ge_u (local.get $d) (local.get $bytes)))
            (v128.store (i32.add (local.get $out) (local.get $d))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $d))) (v128.load (i32.add (local.get $row) (local.get $d)))))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $eachD)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $eachT)))
        (local.set $d (i32.const 0))
        (block $doneS (loop $eachS
          (br_if $doneS (i32.ge_u (local.get $d) (local.get $bytes)))
          (v128.store (i32.add (local.get $out) (local.get $d))
            (f32x4.mul (v128.load (i32.add (local.get $out) (local.get $d))) (local.get $inv)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br $eachS)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $eachB))))

  (func (export "adamRows")
    (param $rows i32) (param $count i32) (param $coef i32) (param $C i32) (param $wt i32) (param $dim i32)
    (param $theta i32) (param $m i32) (param $v i32)
    (param $stepSize f32) (param $invSqrtBc2 f32) (param $eps f32) (param $decay f32) (param $b1 f32) (param $b2 f32)
    (result i32)
    (local $s i32) (local $o i32) (local $a i32) (local $d i32) (local $c i32) (local $bytes i32)
    (local $g v128) (local $mj v128) (local $vj v128) (local $at i32) (local $next i32) (local $sink v128)
    (local $vB1 v128) (local $vB1c v128) (local $vB2 v128) (local $vB2c v128)
    (local $vStep v128) (local $vIsb v128) (local $vEps v128) (local $vDecay v128)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $vB1 (f32x4.splat (local.get $b1)))
    (local.set $vB1c (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $vB2 (f32x4.splat (local.get $b2)))
    (local.set $vB2c (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $vStep (f32x4.splat (local.get $stepSize)))
    (local.set $vIsb (f32x4.splat (local.get $invSqrtBc2)))
    (local.set $vEps (f32x4.splat (local.get $eps)))
    (local.set $vDecay (f32x4.splat (local.get $decay)))
    (block $doneS (loop $eachS
      (br_if $doneS (i32.ge_u (local.get $s) (local.get $count)))
      (local.set $o (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $s) (i32.const 2)))) (local.get $bytes)))
      (local.set $a (i32.add (local.get $coef) (i32.shl (i32.mul (local.get $s) (local.get $C)) (i32.const 2))))
      ;; touch the next row's cache lines now, so that they arrive while this row is computed
      (if (i32.lt_u (i32.add (local.get $s) (i32.const 1)) (local.get $count)) (then
        (local.set $next (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (i32.add (local.get $s) (i32.const 1)) (i32.const 2)))) (local.get $bytes)))
        (local.set $d (i32.const 0))
        (block $doneP (loop $eachP
          (br_if $doneP (i32.ge_u (local.get $d) (local.get $bytes)))
          (local.set $sink (v128.or (local.get $sink)
            (v128.or (v128.load (i32.add (local.get $theta) (i32.add (local.get $next) (local.get $d))))
              (v128.or (v128.load (i32.add (local.get $m) (i32.add (local.get $next) (local.get $d))))
                       (v128.load (i32.add (local.get $v) (i32.add (local.get $next) (local.get $d))))))))
          (local.set $d (i32.add (local.get $d) (i32.const 64)))
          (br $eachP)))))
      (local.set $d (i32.const 0))
      (block $doneD (loop $eachD
        (br_if $doneD (i32.ge_u (local.get $d) (local.get $bytes)))
        (local.set $g (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $doneC (loop $eachC
          (br_if $doneC (i32.ge_u (local.get $c) (local.get $C)))
          (local.set $g (f32x4.add (local.get $g)
            (f32x4.mul
              (v128.load (i32.add (local.get $wt) (i32.add (i32.mul (local.get $c) (local.get $bytes)) (local.get $d))))
              (f32x4.splat (f32.load (i32.add (local.get $a) (i32.shl (local.get $c) (i32.const 2))))))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $eachC)))
        (local.set $at (i32.add (local.get $o) (local.get $d)))
        (local.set $mj (f32x4.add (f32x4.mul (local.get $vB1) (v128.load (i32.add (local.get $m) (local.get $at))))
                                  (f32x4.mul (local.get $vB1c) (local.get $g))))
        (local.set $vj (f32x4.add (f32x4.mul (local.get $vB2) (v128.load (i32.add (local.get $v) (local.get $at))))
                                  (f32x4.mul (local.get $vB2c) (f32x4.mul (local.get $g) (local.get $g)))))
        (v128.store (i32.add (local.get $m) (local.get $at)) (local.get $mj))
        (v128.store (i32.add (local.get $v) (local.get $at)) (local.get $vj))
        (v128.store (i32.add (local.get $theta) (local.get $at))
          (f32x4.sub
            (f32x4.mul (v128.load (i32.add (local.get $theta) (local.get $at))) (local.get $vDecay))
            (f32x4.div (f32x4.mul (local.get $vStep) (local.get $mj))
                       (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $vj)) (local.get $vIsb)) (local.get $vEps)))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $eachD)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $eachS)))
    (i32x4.extract_lane 0 (local.get $sink)))

  (func (export "gatherRows")
    (param $ids i32) (param $offs i32) (param $B i32) (param $dl i32) (param $C i32)
    (param $slotOf i32) (param $rows i32) (param $coef i32) (result i32)
    (local $b i32) (local $t i32) (local $end i32) (local $inv f32) (local $id i32) (local $at i32)
    (local $s i32) (local $count i32) (local $a i32) (local $c i32) (local $g i32) (local $cBytes i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (block $doneB (loop $eachB
      (br_if $doneB (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $t (i32.load (i32.add (local.get $offs) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $end (i32.load (i32.add (local.get $offs) (i32.shl (i32.add (local.get $b) (i32.const 1)) (i32.const 2)))))
      (if (i32.gt_u (local.get $end) (local.get $t)) (then
        (local.set $inv (f32.div (f32.const 1) (f32.convert_i32_u (i32.sub (local.get $end) (local.get $t)))))
        (local.set $g (i32.add (local.get $dl) (i32.mul (local.get $b) (local.get $cBytes))))
        (block $doneT (loop $eachT
          (br_if $doneT (i32.ge_u (local.get $t) (local.get $end)))
          (local.set $id (i32.load (i32.add (local.get $ids) (i32.shl (local.get $t) (i32.const 2)))))
          (local.set $at (i32.add (local.get $slotOf) (i32.shl (local.get $id) (i32.const 2))))
          (local.set $s (i32.load (local.get $at)))
          (if (i32.lt_s (local.get $s) (i32.const 0)) (then
            (local.set $s (local.get $count))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (i32.store (local.get $at) (local.get $s))
            (i32.store (i32.add (local.get $rows) (i32.shl (local.get $s) (i32.const 2))) (local.get $id))
            (memory.fill (i32.add (local.get $coef) (i32.mul (local.get $s) (local.get $cBytes))) (i32.const 0) (local.get $cBytes))))
          (local.set $a (i32.add (local.get $coef) (i32.mul (local.get $s) (local.get $cBytes))))
          (local.set $c (i32.const 0))
          (block $doneC (loop $eachC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $cBytes)))
            (f32.store (i32.add (local.get $a) (local.get $c))
              (f32.add (f32.load (i32.add (local.get $a) (local.get $c)))
                       (f32.mul (f32.load (i32.add (local.get $g) (local.get $c))) (local.get $inv))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $eachC)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $eachT)))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $eachB)))
    (local.get $count))

  (func (export "resetSlots") (param $rows i32) (param $count i32) (param $slotOf i32)
    (local $s i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $s) (local.get $count)))
      (i32.store
        (i32.add (local.get $slotOf) (i32.shl (i32.load (i32.add (local.get $rows) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 2)))
        (i32.const -1))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $each))))
)
`;
