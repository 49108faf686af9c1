;; The hot loops of the CSV engine (src/data/chunkParser.ts drives them), in WebAssembly with 128-bit SIMD:
;; finding the structural bytes of a chunk 16 at a time, and hashing rows 8 bytes at a time. JavaScript byte loops
;; run at about 2.5 ns a byte here; these at about 0.3. Assembled to dist/csvIndex.wasm by esbuild.config.mjs (wabt).
(module
  (memory (export "memory") 1)

  ;; index(src, len, out, delim, nl, nlCap, qt, qtCap) -> (count, newlines, quotes)
  ;; Writes, in order, the offset (from src) of every delimiter, LF, CR and double quote in [src, src + len) to the
  ;; i32 array at `out`, and returns how many. It also writes the line ends (LF and CR) alone to `nl` and the quotes
  ;; alone to `qt`, so the parser can check a whole row in a few loads; either count comes back as -1 when it would
  ;; pass its capacity (the parser then walks `out` alone). The caller leaves 16 readable bytes after the data.
  (func (export "index") (param $src i32) (param $len i32) (param $out i32) (param $delim i32)
      (param $nl i32) (param $nlCap i32) (param $qt i32) (param $qtCap i32) (result i32 i32 i32)
    (local $i i32) (local $end i32) (local $v v128) (local $m i32) (local $o i32) (local $base i32)
    (local $d v128) (local $lf v128) (local $cr v128) (local $q v128) (local $c i32)
    (local $eqN v128) (local $eqQ v128) (local $mn i32) (local $mq i32) (local $no i32) (local $qo i32)
    (local $nEnd i32) (local $qEnd i32) (local $nOver i32) (local $qOver i32)
    (local.set $o (local.get $out))
    (local.set $no (local.get $nl))
    (local.set $qo (local.get $qt))
    (local.set $nEnd (i32.add (local.get $nl) (i32.shl (local.get $nlCap) (i32.const 2))))
    (local.set $qEnd (i32.add (local.get $qt) (i32.shl (local.get $qtCap) (i32.const 2))))
    (local.set $d (i8x16.splat (local.get $delim)))
    (local.set $lf (i8x16.splat (i32.const 10)))
    (local.set $cr (i8x16.splat (i32.const 13)))
    (local.set $q (i8x16.splat (i32.const 34)))
    (local.set $end (i32.add (local.get $src) (i32.and (local.get $len) (i32.const -16))))
    (local.set $i (local.get $src))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $eqN (v128.or (i8x16.eq (local.get $v) (local.get $lf)) (i8x16.eq (local.get $v) (local.get $cr))))
        (local.set $eqQ (i8x16.eq (local.get $v) (local.get $q)))
        (local.set $m (i8x16.bitmask
          (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $d)) (local.get $eqN)) (local.get $eqQ))))
        (local.set $base (i32.sub (local.get $i) (local.get $src)))
        (block $empty
          (loop $bits
            (br_if $empty (i32.eqz (local.get $m)))
            (i32.store (local.get $o) (i32.add (local.get $base) (i32.ctz (local.get $m))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
            (br $bits)))
        (local.set $mn (i8x16.bitmask (local.get $eqN)))
        (block $nDone
          (loop $nBits
            (br_if $nDone (i32.eqz (local.get $mn)))
            (if (i32.ge_u (local.get $no) (local.get $nEnd))
              (then (local.set $nOver (i32.const 1)) (br $nDone)))
            (i32.store (local.get $no) (i32.add (local.get $base) (i32.ctz (local.get $mn))))
            (local.set $no (i32.add (local.get $no) (i32.const 4)))
            (local.set $mn (i32.and (local.get $mn) (i32.sub (local.get $mn) (i32.const 1))))
            (br $nBits)))
        (local.set $mq (i8x16.bitmask (local.get $eqQ)))
        (block $qDone
          (loop $qBits
            (br_if $qDone (i32.eqz (local.get $mq)))
            (if (i32.ge_u (local.get $qo) (local.get $qEnd))
              (then (local.set $qOver (i32.const 1)) (br $qDone)))
            (i32.store (local.get $qo) (i32.add (local.get $base) (i32.ctz (local.get $mq))))
            (local.set $qo (i32.add (local.get $qo) (i32.const 4)))
            (local.set $mq (i32.and (local.get $mq) (i32.sub (local.get $mq) (i32.const 1))))
            (br $qBits)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    ;; The last len % 16 bytes, one at a time.
    (local.set $end (i32.add (local.get $src) (local.get $len)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (local.set $base (i32.sub (local.get $i) (local.get $src)))
        (if (i32.or
              (i32.or (i32.eq (local.get $c) (local.get $delim)) (i32.eq (local.get $c) (i32.const 10)))
              (i32.or (i32.eq (local.get $c) (i32.const 13)) (i32.eq (local.get $c) (i32.const 34))))
          (then
            (i32.store (local.get $o) (local.get $base))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))))
        (if (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13)))
          (then
            (if (i32.ge_u (local.get $no) (local.get $nEnd))
              (then (local.set $nOver (i32.const 1)))
              (else
                (i32.store (local.get $no) (local.get $base))
                (local.set $no (i32.add (local.get $no) (i32.const 4)))))))
        (if (i32.eq (local.get $c) (i32.const 34))
          (then
            (if (i32.ge_u (local.get $qo) (local.get $qEnd))
              (then (local.set $qOver (i32.const 1)))
              (else
                (i32.store (local.get $qo) (local.get $base))
                (local.set $qo (i32.add (local.get $qo) (i32.const 4)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (i32.shr_u (i32.sub (local.get $o) (local.get $out)) (i32.const 2))
    (select (i32.const -1) (i32.shr_u (i32.sub (local.get $no) (local.get $nl)) (i32.const 2)) (local.get $nOver))
    (select (i32.const -1) (i32.shr_u (i32.sub (local.get $qo) (local.get $qt)) (i32.const 2)) (local.get $qOver)))

  ;; hashRows(src, runs, nRuns, out)
  ;; runs holds i32 pairs (start, end) of byte ranges from src; a pair whose start is -1 ends a row. For each row,
  ;; writes one f64 to out: a 53-bit hash (an exact integer) of its ranges' bytes, each range followed by a marker,
  ;; so rows with the same bytes in the same ranges hash alike and a byte moved across a range boundary does not.
  ;; The caller leaves 8 readable bytes after the data (a range's last word is read whole, then masked).
  (func (export "hashRows") (param $src i32) (param $runs i32) (param $nRuns i32) (param $out i32)
    (local $r i32) (local $p i32) (local $s i32) (local $e i32) (local $h i64) (local $w i64) (local $rest i32)
    (local $o i32)
    (local.set $o (local.get $out))
    (local.set $h (i64.const 0x243F6A8885A308D3))
    (local.set $p (local.get $runs))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $r) (local.get $nRuns)))
        (local.set $s (i32.load (local.get $p)))
        (local.set $e (i32.load offset=4 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (if (i32.lt_s (local.get $s) (i32.const 0))
          (then
            ;; End of the row: finish (splitmix64's mixer) and keep the top 53 bits as an exact f64.
            (local.set $h (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 30))))
            (local.set $h (i64.mul (local.get $h) (i64.const 0xBF58476D1CE4E5B9)))
            (local.set $h (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 27))))
            (local.set $h (i64.mul (local.get $h) (i64.const 0x94D049BB133111EB)))
            (local.set $h (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 31))))
            (f64.store (local.get $o) (f64.convert_i64_u (i64.shr_u (local.get $h) (i64.const 11))))
            (local.set $o (i32.add (local.get $o) (i32.const 8)))
            (local.set $h (i64.const 0x243F6A8885A308D3))
            (br $each)))
        (local.set $s (i32.add (local.get $src) (local.get $s)))
        (local.set $e (i32.add (local.get $src) (local.get $e)))
        (block $words
          (loop $word
            (br_if $words (i32.gt_s (i32.add (local.get $s) (i32.const 8)) (local.get $e)))
            (local.set $w (i64.mul (i64.load (local.get $s)) (i64.const 0x9E3779B97F4A7C15)))
            (local.set $h (i64.mul (i64.xor (local.get $h) (i64.xor (local.get $w) (i64.shr_u (local.get $w) (i64.const 32))))
                                   (i64.const 0xD6E8FEB86659FD93)))
            (local.set $s (i32.add (local.get $s) (i32.const 8)))
            (br $word)))
        (local.set $rest (i32.sub (local.get $e) (local.get $s)))
        ;; The last 0..7 bytes as one masked word, with the count in the top byte so "a" and "a\0" differ.
        (local.set $w
          (i64.or
            (i64.and (i64.load (local.get $s))
                     (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $rest) (i32.const 3)))) (i64.const 1)))
            (i64.shl (i64.extend_i32_u (i32.add (local.get $rest) (i32.const 1))) (i64.const 56))))
        (local.set $w (i64.mul (local.get $w) (i64.const 0x9E3779B97F4A7C15)))
        (local.set $h (i64.mul (i64.xor (local.get $h) (i64.xor (local.get $w) (i64.shr_u (local.get $w) (i64.const 32))))
                               (i64.const 0xD6E8FEB86659FD93)))
        (br $each))))
)
