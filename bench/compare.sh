#!/usr/bin/env bash
# compare.sh — composefix against dclint on the same compose files, side by
# side with hyperfine, whole processes, warm file cache.
#
#   bench/compare.sh [DIR]     DIR: compose files to check (default: ../shared/corpus)
#
# Needs go, npm and hyperfine (apt-get install -y hyperfine). dclint is
# installed from npm into a temporary directory, pinned to DCLINT_VERSION;
# nothing is installed globally and the files are copied first, so neither
# tool can change them. composefix runs offline (dclint never asks a
# registry either) with every rule; both print their reports to /dev/null.
# The last lines give the ratio; README.md quotes a run with its date and
# machine.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$here/../shared/corpus}
dclint_version=${DCLINT_VERSION:-3.1.0}
runs=${RUNS:-20}

for tool in go npm hyperfine; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is not installed" >&2; exit 2; }
done
[ -d "$dir" ] || { echo "compare.sh: no directory $dir" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Built as the release is (.goreleaser.yaml, `task build`): static, without
# urfave/cli's docs, without symbol tables. That is the binary users run.
(cd "$here" && CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_docs -ldflags='-s -w' -o "$tmp/composefix" ./cmd/composefix)
npm install --prefix "$tmp/npm" --no-audit --no-fund --silent "dclint@$dclint_version" >/dev/null
dclint=$tmp/npm/node_modules/.bin/dclint

mkdir "$tmp/files"
find "$dir" -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) -exec cp {} "$tmp/files/" \;
n=$(find "$tmp/files" -type f | wc -l)
[ "$n" -gt 0 ] || { echo "compare.sh: no .yml or .yaml files in $dir" >&2; exit 2; }
cd "$tmp/files"

echo "$n files; composefix $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?'), dclint $dclint_version,"
echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(date -u +%Y-%m-%d)"
# -i: both exit non-zero when they find something, which they should here.
hyperfine -N -i --warmup 3 --runs "$runs" --export-json "$tmp/result.json" \
  -n composefix "$tmp/composefix --offline --cache-dir $tmp/cache --no-color $(ls | tr '\n' ' ')" \
  -n dclint "$dclint --color false $(ls | tr '\n' ' ')"

# The ratios, without jq: hyperfine's JSON has one "median", "user" and
# "system" per command, in the order given. CPU time (user + system, means)
# is steadier than wall time on a machine that is busy with other work.
nums() { grep -o "\"$1\": *[0-9.e+-]*" "$tmp/result.json" | grep -o '[0-9.e+-]*$' | tr '\n' ' '; echo; }
read -r cf dc < <(nums median) || true
read -r cfu dcu < <(nums user) || true
read -r cfs dcs < <(nums system) || true
awk -v cf="$cf" -v dc="$dc" 'BEGIN { printf "median: composefix %.1f ms, dclint %.1f ms: composefix is %.1fx faster\n", cf*1000, dc*1000, dc/cf }'
awk -v cf="$cfu" -v dc="$dcu" -v cfs="$cfs" -v dcs="$dcs" 'BEGIN { printf "cpu (user+system, mean): composefix %.1f ms, dclint %.1f ms: composefix uses %.1fx less\n", (cf+cfs)*1000, (dc+dcs)*1000, (dc+dcs)/(cf+cfs) }'
