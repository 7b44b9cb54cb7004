#!/bin/bash
# Submits a sharded `audit scan` to Slurm: an array job of N scan tasks (audit-scan.sbatch) and the merge
# (audit-merge.sbatch) as a job that starts only when every task succeeded. Prints `scan_job=ID` and
# `merge_job=ID`. Job logs go to OUT/logs/. Other sbatch options come from the environment sbatch reads
# (SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, ...); AUDIT_SCAN_SBATCH_ARGS adds options to the array
# job only (e.g. "--cpus-per-task=4 --mem=4G"); AUDIT_ARRAY_LIMIT=K runs at most K tasks at once (--array=0-(N-1)%K).
# AUDIT_BIN is the audit command (default: this checkout's bin/audit.js when built, else `audit` on PATH; a
# command with arguments is split on spaces, so no spaces inside its path).
#
# Usage: deploy/slurm/submit.sh INPUT OUT N [scan options...]
#   e.g. deploy/slurm/submit.sh /data/corpus/manifest.parquet /shared/audit-out 64 --no-report
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 INPUT OUT N [scan options...]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
input=$(realpath -m "$1") out=$(realpath -m "$2") n=$3
shift 3
case $n in '' | *[!0-9]* | 0) echo "N must be a positive whole number, got '$n'" >&2; exit 2 ;; esac
if [ -z "${AUDIT_BIN:-}" ]; then
  # The checkout this script is in, else `audit` on PATH.
  if [ -f "$here/../../dist/cli/run.js" ]; then AUDIT_BIN="node $(realpath "$here/../../bin/audit.js")"; else AUDIT_BIN=audit; fi
fi
export AUDIT_BIN
mkdir -p "$out/logs"

# shellcheck disable=SC2086
scan_job=$(sbatch --parsable --export=ALL --array="0-$((n - 1))${AUDIT_ARRAY_LIMIT:+%$AUDIT_ARRAY_LIMIT}" \
  --output="$out/logs/scan-%A_%a.out" ${AUDIT_SCAN_SBATCH_ARGS:-} \
  "$here/audit-scan.sbatch" "$input" "$out" "$n" "$@")
scan_job=${scan_job%%;*}
merge_job=$(sbatch --parsable --export=ALL --dependency="afterok:$scan_job" --kill-on-invalid-dep=yes \
  --output="$out/logs/merge-%j.out" "$here/audit-merge.sbatch" "$out" "$n")
merge_job=${merge_job%%;*}
echo "scan_job=$scan_job"
echo "merge_job=$merge_job"
