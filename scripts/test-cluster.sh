#!/bin/bash
# npm run test:cluster: a sharded scan under a real Slurm cluster, checked against a single-process scan.
#
# As root on Debian/Ubuntu: installs slurm-wlm and munge when missing (apt-get), starts munged, slurmctld and
# slurmd on this machine as plain background processes (no systemd) with a one-node slurm.conf, all state under
# a temporary folder; renders a small corpus (`audit synth`, plus a file that is not a video, a missing file and
# a repeated id, so error rows go through the shards too); scans it once in one process; submits
# deploy/slurm/submit.sh (an array job of N `audit scan --shard $SLURM_ARRAY_TASK_ID/N` tasks and the merge as a
# job dependent on it, afterok); waits for both; and checks with scripts/compare-scans.js that the merged folder
# holds exactly the rows of the single-process scan (none lost, none doubled, the same numbers, series bytes and
# decisions). Then checks that the comparison fails on a copy of the merged output with a row dropped and one
# doubled. Then submits the same again, cancels one scan task mid-scan (scancel), resubmits it (it resumes) with
# the merge dependent on it, and checks that merged output the same way (AUDIT_CLUSTER_INTERRUPT=0 skips this).
# Stops every daemon it started and removes its temporary folder on exit.
#
# Exit 0: PASS, or skipped (not root, no apt-get, slurm-wlm/munge cannot be installed), saying so. Exit 1: FAIL.
#
# Environment: AUDIT_CLUSTER_SHARDS (array size, default 4), AUDIT_CLUSTER_CLIPS (synth --count, default 12: twice
# as many clips with the reversed twins), AUDIT_CLUSTER_TIMEOUT (seconds to wait for the jobs, default 900),
# AUDIT_CLUSTER_KEEP=1 (keep the temporary folder, and print where it is), AUDIT_REPORT=1 (the merge job also
# writes report.html; off by default to keep the run short).
set -uo pipefail

say() { echo "test:cluster: $*"; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }'; }
skip() { say "skipped: $*"; exit 0; }
fail() { say "FAIL: $*"; exit 1; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shards=${AUDIT_CLUSTER_SHARDS:-4}
clips=${AUDIT_CLUSTER_CLIPS:-12}
timeout=${AUDIT_CLUSTER_TIMEOUT:-900}

[ "$(id -u)" = 0 ] || skip "needs root (it installs slurm-wlm and munge and starts their daemons); run it as root, e.g. in a container"
[ -f "$repo/dist/cli/run.js" ] || fail "dist/ is not built: run npm run build (npm run test:cluster does)"

need=(munged munge unmunge slurmctld slurmd sbatch sinfo squeue scontrol)
missing() { for c in "${need[@]}"; do command -v "$c" >/dev/null 2>&1 || { echo "$c"; return; }; done; }
if [ -n "$(missing)" ]; then
  command -v apt-get >/dev/null 2>&1 || skip "Slurm is not installed ($(missing) missing) and there is no apt-get to install it"
  say "installing slurm-wlm and munge with apt-get (once)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q slurm-wlm munge >/tmp/test-cluster-apt.log 2>&1; then
    apt-get update -q >>/tmp/test-cluster-apt.log 2>&1
    apt-get install -y -q slurm-wlm munge >>/tmp/test-cluster-apt.log 2>&1 ||
      skip "apt-get install slurm-wlm munge failed (no network to the package mirrors?); see /tmp/test-cluster-apt.log"
  fi
  [ -z "$(missing)" ] || skip "slurm-wlm and munge installed but $(missing) is still missing"
fi
slurm_version=$(slurmctld -V 2>/dev/null)

T=$(mktemp -d /tmp/audit-cluster.XXXXXX)
chmod 755 "$T" # munged wants the path to its socket searchable by all
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log"
pids=()
jobs_submitted=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ ${#jobs_submitted[@]} -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then scancel "${jobs_submitted[@]}" >/dev/null 2>&1; fi
  if [ -n "${SLURM_CONF:-}" ]; then scontrol shutdown >/dev/null 2>&1; fi
  # slurmctld and slurmd first (they stop on `scontrol shutdown`; a TERM otherwise), munged last.
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do
    local p=${pids[k]}
    for w in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; [ "$w" = 10 ] && kill -TERM "$p" 2>/dev/null; sleep 0.2; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  if [ "${AUDIT_CLUSTER_KEEP:-0}" = 1 ]; then say "kept $T"; else rm -rf "$T"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

logs() {
  for f in "$T"/log/*.log "$T"/cluster/logs/*.out; do
    [ -f "$f" ] || continue
    case $f in *.out.log) [ -s "${f%.out.log}.log" ] && continue ;; esac # the daemon's own log file has the same lines
    echo "--- $f (last 15 lines)"
    tail -n 15 "$f"
  done
}

# --- munge: its own key and socket, so a munged already running on this machine is left alone.
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$T/munge/munge.key"
sock=$T/munge/munge.sock
munged -F --force --key-file="$T/munge/munge.key" --socket="$sock" --pid-file="$T/munge/munged.pid" \
  --seed-file="$T/munge/munged.seed" --log-file="$T/log/munged.log" >"$T/log/munged.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.2; done
munge -S "$sock" -n | unmunge -S "$sock" >/dev/null 2>&1 || { logs; fail "munged does not answer on $sock"; }

# --- a one-node slurm.conf: this host, its CPUs, no cgroups, state under $T, free ports.
host=$(hostname -s)
cpus=$(nproc)
read -r ctld_port slurmd_port < <(node -e '
  const net = require("node:net");
  const free = () => new Promise((ok) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
  (async () => { const a = await free(); let b = await free(); while (b === a) b = await free(); console.log(a, b); })();')
export SLURM_CONF=$T/slurm.conf
cat >"$SLURM_CONF" <<EOF
# Written by scripts/test-cluster.sh: one node, every daemon as root, nothing outside $T.
ClusterName=audittest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
# No cgroups: processes are tracked through /proc, tasks are not bound or confined.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
# Keep finished jobs for scontrol long enough to read their states (there is no accounting database).
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=audit Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -f "$SLURM_CONF" >"$T/log/slurmctld.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do scontrol ping >/dev/null 2>&1 && break; sleep 0.2; done
scontrol ping >/dev/null 2>&1 || { logs; fail "slurmctld did not come up"; }
slurmd -D -N "$host" -f "$SLURM_CONF" >"$T/log/slurmd.out.log" 2>&1 &
pids+=($!)
state=
for _ in $(seq 1 120); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null)
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || { logs; fail "node $host is '$state', not idle, 60 s after slurmd started"; }
say "$slurm_version: slurmctld and slurmd up, node $host idle with $cpus CPUs (ports $ctld_port/$slurmd_port)"

# --- the corpus: synthetic clips with their reversed twins, plus three rows that become error rows.
audit=(node "$repo/bin/audit.js")
corpus=$T/corpus
"${audit[@]}" synth --out "$corpus" --count "$clips" --seed 7 -q || fail "audit synth failed"
echo "not a video" >"$corpus/clips/broken.mp4"
first=$(sed -n 2p "$corpus/manifest.csv")
ncol=$(head -1 "$corpus/manifest.csv" | tr ',' '\n' | wc -l)
pad=
for ((k = 3; k <= ncol; k++)); do pad="$pad,"; done
{
  echo "broken_file,clips/broken.mp4$pad"
  echo "missing_file,clips/missing.mp4$pad"
  echo "$first" # the first row again: a duplicate id
} >>"$corpus/manifest.csv"
rows=$(($(wc -l <"$corpus/manifest.csv") - 1))
say "corpus: $rows manifest rows ($((clips * 2)) synthetic clips, one file that is not a video, one missing, one repeated id)"

# --- the reference: one process, all cores. Exit 3 = finished with error rows (expected here).
t0=$(date +%s.%N)
"${audit[@]}" scan "$corpus/manifest.csv" --out "$T/single" --workers "$cpus" --no-report -q
rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || fail "the single-process scan exited $rc"
single_s=$(since "$t0")

# --- the cluster run: the deploy/ scripts, as a user would submit them.
export AUDIT_BIN="node $repo/bin/audit.js" AUDIT_REPORT=${AUDIT_REPORT:-0}
t0=$(date +%s.%N)
submitted=$("$repo/deploy/slurm/submit.sh" "$corpus/manifest.csv" "$T/cluster" "$shards" --no-report -q) || fail "sbatch refused the jobs"
scan_job=$(sed -n 's/^scan_job=//p' <<<"$submitted")
merge_job=$(sed -n 's/^merge_job=//p' <<<"$submitted")
jobs_submitted=("$scan_job" "$merge_job")
say "submitted array job $scan_job (--array=0-$((shards - 1))) and merge job $merge_job (--dependency=afterok:$scan_job)"

# States of a job's tasks, counted ("4 COMPLETED"); task_state: the state of one job or array task (JOB_TASK).
job_state() { scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort | uniq -c | tr -s ' ' | sed 's/^ //' | paste -sd, -; }
task_state() { scontrol -o show job "$1" 2>/dev/null | head -1 | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
# Waits until job $1 has ended (within AUDIT_CLUSTER_TIMEOUT of $2, a start time in seconds); sets $state.
wait_job() {
  local deadline=$(($2 + timeout))
  while :; do
    state=$(task_state "$1")
    case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED) return ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || { logs; fail "job $1 did not end in ${timeout} s (it is ${state:-unknown}; all jobs: $(squeue -h -o '%i %T' | paste -sd, -))"; }
    sleep 1
  done
}
wait_job "$merge_job" "$(date +%s)"
merge_state=$state
cluster_s=$(since "$t0")
array_states=$(job_state "$scan_job")
tasks_ok=$(scontrol -o show job "$scan_job" | grep -c 'JobState=COMPLETED')
say "array job $scan_job: $array_states; merge job $merge_job: $merge_state; $cluster_s s from submit to merged (the single-process scan: $single_s s)"
if [ "$tasks_ok" != "$shards" ] || [ "$merge_state" != COMPLETED ]; then
  logs
  fail "$tasks_ok of $shards scan tasks completed, merge $merge_state"
fi
# Each task scanned its own shard on this node: the shard folders say which one.
for ((i = 0; i < shards; i++)); do
  node -e '
    const s = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const want = `${process.argv[2]}/${process.argv[3]}`;
    const got = s.shard ? `${s.shard.index}/${s.shard.count}` : "none";
    if (got !== want || s.status !== "complete") { console.error(`${process.argv[1]}: shard ${got}, ${s.status}; expected ${want}, complete`); process.exit(1); }
    console.log(`  shard ${want}: ${s.counts.shard_rows} rows (${s.counts.clips} clips, ${s.counts.errors} errors)`);' \
    "$T/cluster/shard-$i/summary.json" "$i" "$shards" || fail "shard folder $i is not the complete shard $i/$shards"
done

# --- the check: merged output against the single-process scan.
node "$repo/scripts/compare-scans.js" "$T/single" "$T/cluster/all" | sed 's/^/  /'
cmp_rc=${PIPESTATUS[0]}
result=$(node "$repo/scripts/compare-scans.js" --json "$T/single" "$T/cluster/all")
summary=$(node -e '
  const r = JSON.parse(process.argv[1]);
  console.log(`rows: single-process ${r.single.rows} (${r.single.clips} clips + ${r.single.errors} errors), merged ${r.other.rows} (${r.other.clips} clips + ${r.other.errors} errors); lost ${r.lost.length}, extra ${r.extra.length}, doubled ${r.doubled.length}; ${r.differ.length} differences in values, series or decisions`);' "$result")

# --- the control: the same check must fail on a merged output that lost a row and doubled another.
cp -r "$T/cluster/all" "$T/tampered"
{ sed -n '2,$p' "$T/cluster/all/clips.jsonl"; sed -n 2p "$T/cluster/all/clips.jsonl"; } >"$T/tampered/clips.jsonl"
control=$(node "$repo/scripts/compare-scans.js" --json "$T/single" "$T/tampered")
control_rc=$?
control_ok=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.ok === false && r.lost.length === 1 && r.doubled.length === 1 ? "yes" : "no");' "$control")

say "$summary"
if [ "$control_rc" = 1 ] && [ "$control_ok" = yes ]; then
  say "control: the check fails on a copy of the merged output with one row dropped and one doubled (lost 1, doubled 1)"
else
  fail "control: the check did not catch a dropped and a doubled row (exit $control_rc)"
fi
[ "$cmp_rc" = 0 ] || fail "the merged output of the Slurm run differs from the single-process scan (above)"

# --- an interrupted task: the same submission again, one task cancelled mid-scan (scancel: SIGTERM), so the
# dependent merge never starts; then the recovery deploy/README.md gives: resubmit that task (it resumes) and
# the merge after it. The merged output must again hold exactly the single-process scan's rows.
interrupted=
if [ "${AUDIT_CLUSTER_INTERRUPT:-1}" != 0 ]; then
  # The task with the most clips (`id:<id>` hashes to its shard as in `audit scan --shard`): time to cancel it mid-scan.
  k=$(node -e '
    const fs = require("node:fs"), { createHash } = require("node:crypto");
    const n = Number(process.argv[2]), rows = new Array(n).fill(0);
    for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) if (l) rows[createHash("sha1").update(`id:${JSON.parse(l).id}`).digest().readUInt32BE(0) % n]++;
    console.log(rows.indexOf(Math.max(...rows)));' "$T/single/clips.jsonl" "$shards")
  out2=$T/cluster-interrupted
  submitted=$("$repo/deploy/slurm/submit.sh" "$corpus/manifest.csv" "$out2" "$shards" --no-report -q) || fail "sbatch refused the jobs"
  scan2=$(sed -n 's/^scan_job=//p' <<<"$submitted")
  merge2=$(sed -n 's/^merge_job=//p' <<<"$submitted")
  jobs_submitted+=("$scan2" "$merge2")
  t1=$(date +%s)
  done_rows=0
  while :; do
    st=$(task_state "${scan2}_$k")
    done_rows=$(cat "$out2/shard-$k/clips.jsonl" "$out2/shard-$k/errors.jsonl" 2>/dev/null | wc -l)
    if [ "$st" = RUNNING ] && [ "$done_rows" -ge 1 ]; then scancel "${scan2}_$k"; break; fi
    case $st in COMPLETED | FAILED | CANCELLED | TIMEOUT) logs; fail "task ${scan2}_$k ended ($st) before it could be cancelled mid-scan" ;; esac
    [ "$(date +%s)" -lt $((t1 + timeout)) ] || { logs; fail "task ${scan2}_$k did not start writing rows in ${timeout} s"; }
    sleep 0.1
  done
  wait_job "${scan2}_$k" "$t1"
  cancelled_state=$state
  wait_job "$merge2" "$t1"
  [ "$cancelled_state" = CANCELLED ] && [ "$state" = CANCELLED ] ||
    { logs; fail "after scancel ${scan2}_$k: the task is $cancelled_state, the dependent merge $state (expected both CANCELLED)"; }
  kept_rows=$(cat "$out2/shard-$k/clips.jsonl" "$out2/shard-$k/errors.jsonl" 2>/dev/null | wc -l)
  lock_left=no
  [ -e "$out2/shard-$k/.audit.lock" ] && lock_left=yes
  scan3=$(sbatch --parsable --export=ALL --array="$k" --output="$out2/logs/scan-%A_%a.out" \
    "$repo/deploy/slurm/audit-scan.sbatch" "$corpus/manifest.csv" "$out2" "$shards" --no-report -q) || fail "sbatch refused the resubmitted task"
  merge3=$(sbatch --parsable --export=ALL --dependency="afterok:$scan3" --kill-on-invalid-dep=yes \
    --output="$out2/logs/merge-%j.out" "$repo/deploy/slurm/audit-merge.sbatch" "$out2" "$shards") || fail "sbatch refused the merge"
  jobs_submitted+=("$scan3" "$merge3")
  wait_job "$merge3" "$t1"
  [ "$state" = COMPLETED ] || { logs; fail "the resubmitted task $scan3 is $(task_state "$scan3"), its merge $merge3 $state"; }
  resumed=$(node -e 'console.log(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).counts.resumed)' "$out2/shard-$k/summary.json")
  [ "$resumed" -ge 1 ] 2>/dev/null || { logs; fail "the resubmitted task $k did not resume (resumed: $resumed rows; $kept_rows were written before scancel)"; }
  node "$repo/scripts/compare-scans.js" "$T/single" "$out2/all" | sed 's/^/  /'
  [ "${PIPESTATUS[0]}" = 0 ] || fail "after the cancelled task was resubmitted, the merged output differs from the single-process scan (above)"
  r2=$(node "$repo/scripts/compare-scans.js" --json "$T/single" "$out2/all")
  interrupted=$(node -e '
    const r = JSON.parse(process.argv[1]);
    console.log(`merged ${r.other.rows} rows, lost ${r.lost.length}, doubled ${r.doubled.length}`);' "$r2")
  say "interrupted task: scancel ${scan2}_$k after $done_rows rows (task and dependent merge CANCELLED; $kept_rows rows kept; lock left behind: $lock_left); resubmitted as job $scan3 (--array=$k) it resumed $resumed rows; merge $merge3 (afterok:$scan3): $interrupted"
fi

say "PASS: $slurm_version, array of $shards scan tasks + dependent merge on node $host; the merged output holds exactly the single-process scan's rows${interrupted:+; also after a task was cancelled mid-scan and resubmitted}"
