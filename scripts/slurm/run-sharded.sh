#!/usr/bin/env bash
# Runs pws as a sharded job on Slurm: a map array, a dedup array after it (afterok), a reduce
# array after that (afterok), a merge job last (afterok), then waits and says which tasks
# failed. docs/scale.md.
#
#   run-sharded.sh run --shared DIR --data DIR --out DIR [--pws PATH] [--map-tasks M]
#                      [--partitions P] [--incremental [--rehash]] [--sbatch ARG]... [--poll SECONDS]
#                      [-- PWS_OPTION...]
#       A new run: SHARED (a new or empty folder every node sees at the same path) gets the
#       settings, the intermediate files, the task logs (SHARED/slurm/logs) and one done marker
#       per finished task (SHARED/slurm/done). PWS_OPTIONs (e.g. --as-of 2025-12
#       --today 2026-01-05) go to every pws command. --sbatch ARG is given to every sbatch
#       (e.g. --sbatch --partition=batch --sbatch --time=01:00:00).
#       --incremental: the map tasks keep each input file's map in OUT/.cache/map/ and read
#       only new or changed files (`pws map --incremental --out OUT`; nightly reruns, each with
#       a new SHARED; docs/scale.md "The cache on a cluster").
#       --rehash (with --incremental): the map tasks hash every input file's bytes instead of
#       trusting the cache's hash index (`pws map --rehash`; for a network file system whose
#       ctime is not to be trusted). Kept in the settings, so resume keeps it too.
#       Defaults: --pws pws (on the nodes' PATH), M = 4, P = 8, no cache.
#   run-sharded.sh resume --shared DIR [--poll SECONDS]
#       Resubmits only what has no done marker: the failed map indices (--array=<list>), then
#       dedup and reduce (all of a stage when a stage before it reran, else its failed
#       indices), then merge.
#   run-sharded.sh status --shared DIR
#       Which tasks are done, and the submissions so far (SHARED/slurm/submissions).
#
# Exit 0 when merge has finished; 1 when a task failed or was cancelled (the message names the
# indices and the resume command); 2 on a usage error. Waiting polls squeue (no accounting
# database needed); a job that can never start (DependencyNeverSatisfied) is cancelled — the
# templates ask Slurm to do that itself with --kill-on-invalid-dep=yes, this is the fallback.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { echo "run-sharded.sh: $*" >&2; exit 2; }

mode=${1:-}; shift || true
case "$mode" in run | resume | status) ;; *) usage ;; esac
shared="" data="" out="" pws=pws map_tasks=4 partitions=8 poll=2 incremental=0 rehash=0
sbatch_args=() pws_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --shared) shared=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --pws) pws=$2; shift 2 ;;
    --map-tasks) map_tasks=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --incremental) incremental=1; shift ;;
    --rehash) rehash=1; shift ;;
    --sbatch) sbatch_args+=("$2"); shift 2 ;;
    --poll) poll=$2; shift 2 ;;
    --) shift; pws_args=("$@"); break ;;
    -h | --help) usage ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[ -n "$shared" ] || die "--shared DIR is required"

abs() { (mkdir -p "$1" && cd "$1" && pwd); }

# Indices 0..N-1 of STAGE without a done marker, as a Slurm array list "0,3,5" (empty: none).
todo() { # STAGE N
  local i list=""
  for ((i = 0; i < $2; i++)); do
    [ -f "$shared/slurm/done/$1.$i" ] || list+="${list:+,}$i"
  done
  echo "$list"
}

submit() { # STAGE ARRAY-LIST-or-"" DEPENDENCY-or-"" -> job id
  local stage=$1 array=$2 dep=$3 opts=() id
  opts=(--parsable --job-name="pws-$stage" --chdir="$shared")
  if [ -n "$array" ]; then
    opts+=(--array="$array" --output="$shared/slurm/logs/$stage-%A_%a.out")
  else
    opts+=(--output="$shared/slurm/logs/$stage-%j.out")
  fi
  if [ -n "$dep" ]; then opts+=(--dependency="afterok:$dep"); fi
  id=$(sbatch ${opts[@]+"${opts[@]}"} ${sbatch_args[@]+"${sbatch_args[@]}"} "$here/$stage.sbatch" "$shared") \
    || { echo "run-sharded.sh: sbatch of $stage failed" >&2; exit 1; }
  id=${id%%;*}
  echo "$(date -u +%FT%TZ) $stage job=$id array=${array:-none} after=${dep:-none}" >> "$shared/slurm/submissions"
  echo "$id"
}

# After a failed submission: cancels the jobs submitted before it (JOB...) and exits 1.
abandon() {
  if [ $# -gt 0 ]; then scancel "$@" 2>/dev/null || true; fi
  echo "run-sharded.sh: nothing more submitted${1:+; cancelled $*}; fix the cause and run resume --shared $shared" >&2
  exit 1
}

# Slurm's word on each task of JOB (while it still knows the job: MinJobAge after it ends).
slurm_view() { # JOB
  scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' \
    | awk -F= '/^JobId=/ { id = $2 } /^ArrayJobId=/ { aj = $2 } /^ArrayTaskId=/ { id = aj "_" $2 }
               /^JobState=/ { st = $2 } /^Reason=/ { r = $2 }
               /^ExitCode=/ { printf "  %s %s (reason %s, exit %s)\n", id, st, r, $2 }'
}

# Waits until none of the jobs is pending or running; cancels any that can never start.
wait_for() { # JOB...
  local id left never
  while :; do
    left=""
    for id in "$@"; do
      left+=$(squeue -h -j "$id" -o '%i %T %r' 2>/dev/null || true)$'\n'
    done
    left=$(grep -v '^$' <<< "$left" || true)
    [ -z "$left" ] && return 0
    never=$(awk '$3 == "DependencyNeverSatisfied" { print $1 }' <<< "$left")
    if [ -n "$never" ]; then
      echo "run-sharded.sh: cancelling jobs whose dependency failed: $(echo $never)" >&2
      scancel $never || true
    fi
    sleep "$poll"
  done
}

status() {
  local stage n t
  for stage in map dedup reduce merge; do
    case $stage in map) n=$PWS_MAP_TASKS ;; dedup | reduce) n=$PWS_PARTITIONS ;; merge) n=1 ;; esac
    t=$(todo "$stage" "$n")
    if [ -z "$t" ]; then echo "$stage: $n of $n done"
    else echo "$stage: $((n - $(tr ',' '\n' <<< "$t" | wc -l))) of $n done; not done: $t"; fi
  done
}

submit_and_wait() {
  local map_todo dedup_todo reduce_todo merge_todo dep="" ids=() mj="" dj="" rj="" gj=""
  map_todo=$(todo map "$PWS_MAP_TASKS")
  # Downstream outputs are only as good as their inputs: a map rerun means every dedup, every
  # reduce and the merge run again; a dedup rerun, every reduce and the merge; a reduce rerun,
  # the merge.
  if [ -n "$map_todo" ]; then rm -f "$shared"/slurm/done/dedup.* "$shared"/slurm/done/reduce.* "$shared"/slurm/done/merge.*; fi
  dedup_todo=$(todo dedup "$PWS_PARTITIONS")
  if [ -n "$dedup_todo" ]; then rm -f "$shared"/slurm/done/reduce.* "$shared"/slurm/done/merge.*; fi
  reduce_todo=$(todo reduce "$PWS_PARTITIONS")
  if [ -n "$reduce_todo" ]; then rm -f "$shared"/slurm/done/merge.*; fi
  merge_todo=$(todo merge 1)
  if [ -z "$merge_todo" ]; then echo "run-sharded.sh: already complete ($shared)"; return 0; fi
  # A submission that fails stops the driver and cancels what it submitted before it: the next
  # stage would otherwise go in without its dependency and start at once.
  if [ -n "$map_todo" ]; then mj=$(submit map "$map_todo" "") || abandon; dep=$mj; ids+=("$mj"); fi
  if [ -n "$dedup_todo" ]; then dj=$(submit dedup "$dedup_todo" "$dep") || abandon ${ids[@]+"${ids[@]}"}; dep=$dj; ids+=("$dj"); fi
  if [ -n "$reduce_todo" ]; then rj=$(submit reduce "$reduce_todo" "$dep") || abandon ${ids[@]+"${ids[@]}"}; dep=$rj; ids+=("$rj"); fi
  gj=$(submit merge "" "$dep") || abandon ${ids[@]+"${ids[@]}"}; ids+=("$gj")
  echo "run-sharded.sh: submitted map ${mj:-(done)} [${map_todo:-}], dedup ${dj:-(done)} [${dedup_todo:-}], reduce ${rj:-(done)} [${reduce_todo:-}], merge $gj"
  wait_for "${ids[@]}"
  if [ -f "$shared/slurm/done/merge.0" ]; then
    echo "run-sharded.sh: done; published to $PWS_OUT"
    return 0
  fi
  echo "run-sharded.sh: the run did not finish" >&2
  status >&2
  local id
  for id in "${ids[@]}"; do slurm_view "$id" >&2; done
  echo "logs: $shared/slurm/logs/; resubmit only what failed: $0 resume --shared $shared" >&2
  return 1
}

case "$mode" in
  run)
    [ -n "$data" ] && [ -n "$out" ] || die "run needs --data DIR and --out DIR"
    [[ "$map_tasks" =~ ^[1-9][0-9]*$ ]] || die "--map-tasks must be a positive whole number"
    [[ "$partitions" =~ ^[1-9][0-9]*$ ]] || die "--partitions must be a positive whole number"
    [ "$rehash" = 0 ] || [ "$incremental" = 1 ] || die "--rehash goes with --incremental"
    # A run starts in a folder of its own: files of another run (other M, P or inputs) must not
    # mix with this one's. A failed run is continued with resume, not run.
    if [ -e "$shared" ] && [ -n "$(ls -A "$shared" 2>/dev/null)" ]; then
      die "$shared is not empty: give a new --shared folder, or continue that run with: $0 resume --shared $shared"
    fi
    # The data folder must be there (a typo made an empty one, and the map tasks said it was empty).
    [ -d "$data" ] || die "no folder $data (--data)"
    shared=$(abs "$shared"); data=$(cd "$data" && pwd); out=$(abs "$out")
    # A pws path with a slash must be absolute: tasks start in SHARED, on other nodes.
    if [[ "$pws" == */* ]]; then pws=$(cd "$(dirname "$pws")" && pwd)/$(basename "$pws"); fi
    mkdir -p "$shared/slurm/done" "$shared/slurm/logs"
    PWS_BIN=$pws PWS_DATA=$data PWS_OUT=$out PWS_MAP_TASKS=$map_tasks PWS_PARTITIONS=$partitions
    PWS_ARGS=(${pws_args[@]+"${pws_args[@]}"}) PWS_SBATCH_ARGS=(${sbatch_args[@]+"${sbatch_args[@]}"}) PWS_INCREMENTAL=$incremental
    PWS_MAP_CACHE_ARGS=()
    if [ "$rehash" = 1 ]; then PWS_MAP_CACHE_ARGS=(--rehash); fi
    {
      echo "# Written by run-sharded.sh run; read by the sbatch templates and by resume."
      declare -p PWS_BIN PWS_DATA PWS_OUT PWS_MAP_TASKS PWS_PARTITIONS PWS_ARGS PWS_SBATCH_ARGS PWS_INCREMENTAL \
        PWS_MAP_CACHE_ARGS
    } > "$shared/slurm/settings.tmp"
    mv -f "$shared/slurm/settings.tmp" "$shared/slurm/settings"
    ;;
  resume | status)
    found=$(cd "$shared" 2>/dev/null && pwd) || die "no folder $shared (--shared)"
    shared=$found
    [ -f "$shared/slurm/settings" ] || die "$shared/slurm/settings is missing: start with run-sharded.sh run"
    ;;
esac
source "$shared/slurm/settings"
sbatch_args=(${PWS_SBATCH_ARGS[@]+"${PWS_SBATCH_ARGS[@]}"})
case "$mode" in
  status) status; exit 0 ;;
  *) submit_and_wait || exit 1 ;;
esac
