#!/usr/bin/env bash
# Fuzzes Brook's Kafka request decoder (tests/fuzz/kafka_request_fuzz.cpp) and the SASL login
# (tests/fuzz/sasl_exchange_fuzz.cpp) with libFuzzer under ASan and UBSan, built with clang
# straight from the sources, apart from the main g++ build.
#   usage: run_fuzz.sh [BUILD_DIR]          (default: build; output goes to BUILD_DIR/fuzz)
#   FUZZ_SECONDS   how long to fuzz the decoder (default 60)
#   FUZZ_SASL_SECONDS  how long to fuzz the SASL login (default 30)
#   FUZZ_CXX       the clang++ to use (default: clang++, then clang++-14)
# Steps: build the target and the seed writer; write seeds (valid requests of every API and
# version); replay every input saved as tests/fuzz/crashes/crash-*; fuzz for FUZZ_SECONDS with
# -rss_limit_mb=1024 -malloc_limit_mb=256. The corpus grown in BUILD_DIR/fuzz/corpus is reused
# by the next run. Exit: 0 clean, 77 clang or libFuzzer missing (ctest: skipped), else failure.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_ARG="${1:-$SRC/build}"
mkdir -p "$BUILD_ARG/fuzz"
OUT="$(cd "$BUILD_ARG/fuzz" && pwd)"
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
FUZZ_SASL_SECONDS="${FUZZ_SASL_SECONDS:-30}"

CXX=""
for c in ${FUZZ_CXX:-} clang++ clang++-14; do
  if command -v "$c" >/dev/null 2>&1; then
    CXX="$(command -v "$c")"
    break
  fi
done
if [ -z "$CXX" ]; then
  echo "SKIP: no clang++ (Debian: apt-get install clang)"
  exit 77
fi
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  >"$OUT/probe.cpp"
if ! "$CXX" -fsanitize=fuzzer "$OUT/probe.cpp" -o "$OUT/probe" >"$OUT/probe.log" 2>&1; then
  echo "SKIP: $CXX cannot link libFuzzer (Debian: apt-get install libclang-rt-14-dev)"
  sed 's/^/  /' "$OUT/probe.log" | tail -5
  exit 77
fi

# The decoder and what it links against; rebuilt when any of these or a header changed.
LIB_SOURCES=(net/kafka/wire.cpp net/kafka/codec.cpp runtime/status.cpp runtime/errc.cpp)
DEPS=("${LIB_SOURCES[@]}" net/kafka/wire.hpp net/kafka/codec.hpp net/kafka/messages.hpp net/kafka/group_messages.hpp
      net/kafka/txn_messages.hpp net/kafka/security_messages.hpp
      runtime/bytes.hpp runtime/status.hpp runtime/errc.hpp
      tests/fuzz/kafka_request_fuzz.cpp tests/fuzz/kafka_seed_corpus.cpp tests/fuzz/run_fuzz.sh)
stale=0
for d in "${DEPS[@]}"; do
  for bin in "$OUT/kafka_request_fuzz" "$OUT/kafka_seed_corpus"; do
    [ -x "$bin" ] && [ "$bin" -nt "$SRC/$d" ] || stale=1
  done
done
if [ "$stale" = 1 ]; then
  echo "building $OUT/kafka_request_fuzz with $CXX"
  cd "$SRC"
  "$CXX" -std=c++17 -g -O1 -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$SRC" \
    tests/fuzz/kafka_request_fuzz.cpp "${LIB_SOURCES[@]}" -o "$OUT/kafka_request_fuzz"
  "$CXX" -std=c++17 -O1 -I"$SRC" tests/fuzz/kafka_seed_corpus.cpp "${LIB_SOURCES[@]}" \
    -o "$OUT/kafka_seed_corpus"
fi

# The SASL login and what it links against (libcrypto for the SCRAM primitives).
SASL_SOURCES=(runtime/security/sasl.cpp runtime/security/access.cpp runtime/security/acl.cpp
              runtime/status.cpp runtime/errc.cpp)
sasl_stale=0
for d in "${SASL_SOURCES[@]}" runtime/security/sasl.hpp runtime/security/access.hpp \
         runtime/security/acl.hpp tests/fuzz/sasl_exchange_fuzz.cpp tests/fuzz/run_fuzz.sh; do
  [ -x "$OUT/sasl_exchange_fuzz" ] && [ "$OUT/sasl_exchange_fuzz" -nt "$SRC/$d" ] || sasl_stale=1
done
if [ "$sasl_stale" = 1 ]; then
  echo "building $OUT/sasl_exchange_fuzz with $CXX"
  (cd "$SRC" && "$CXX" -std=c++17 -g -O1 -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$SRC" \
    tests/fuzz/sasl_exchange_fuzz.cpp "${SASL_SOURCES[@]}" -lcrypto -o "$OUT/sasl_exchange_fuzz")
fi

rm -rf "$OUT/seeds" "$OUT/sasl_seeds"
mkdir -p "$OUT/seeds" "$OUT/corpus" "$OUT/artifacts"
"$OUT/kafka_seed_corpus" "$OUT/seeds"
echo "seed corpus: $(ls "$OUT/seeds" | wc -l) valid requests"

# SASL seeds: the first byte picks the mechanism (0 PLAIN, 1 SCRAM-SHA-256, 2 SCRAM-SHA-512),
# 0xff 0xfe separates the tokens of one login.
mkdir -p "$OUT/sasl_seeds" "$OUT/sasl_corpus"
printf '\x00\x00user\x00pencil' >"$OUT/sasl_seeds/plain"
printf '\x00user\x00user\x00wrong' >"$OUT/sasl_seeds/plain-authzid"
printf '\x02n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL' >"$OUT/sasl_seeds/scram-first"
printf '\x01n,a=user,n=user,r=abc,tokenauth=false\xff\xfec=biws,r=abcdef,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=' \
  >"$OUT/sasl_seeds/scram-both"
printf '\x02y,,n=us=2Cer,r=x\xff\xfec=eSws,r=x,ext=1,p=AAAA\xff\xfe' >"$OUT/sasl_seeds/scram-escapes"

# libFuzzer's own failure exit code is 77, which ctest would take for "skipped": use 1.
LIMITS=(-rss_limit_mb=1024 -malloc_limit_mb=256 -timeout=10 -error_exitcode=1 -timeout_exitcode=1)
fuzz_target() {
  local target="$1"
  shift
  local rc=0
  "$OUT/$target" "${LIMITS[@]}" "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAILED: $target exited $rc (inputs that failed: $OUT/artifacts/)"
    exit 1
  fi
}
fuzz() { fuzz_target kafka_request_fuzz "$@"; }

# Inputs that crashed before stay regressions: each must now pass.
shopt -s nullglob
saved=("$SRC"/tests/fuzz/crashes/crash-*)
if [ "${#saved[@]}" -gt 0 ]; then
  echo "replaying ${#saved[@]} saved input(s) from tests/fuzz/crashes/"
  fuzz -artifact_prefix="$OUT/artifacts/replay-" "${saved[@]}"
fi

echo "fuzzing for ${FUZZ_SECONDS}s"
fuzz -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" \
  "$OUT/corpus" "$OUT/seeds"

echo "fuzzing the SASL login for ${FUZZ_SASL_SECONDS}s"
fuzz_target sasl_exchange_fuzz -max_total_time="$FUZZ_SASL_SECONDS" -print_final_stats=1 \
  -artifact_prefix="$OUT/artifacts/sasl-" "$OUT/sasl_corpus" "$OUT/sasl_seeds"
