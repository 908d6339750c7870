#!/usr/bin/env bash
# A real, throw-away Slurm cluster on this machine, for tests: munged + slurmctld + 3 slurmd
# (Debian's slurm-wlm and munge), listening on 127.0.0.1 only, without cgroups and without
# accounting storage. Everything it writes (munge key and socket, slurm.conf, state, spool,
# logs, pid files) lives under $PWS_SLURM_DIR; nothing under /etc, /run or /var is read or written
# by the daemons (Debian's /etc/slurm and /etc/munge are left alone).
#
#   scripts/slurm/cluster.sh start    start it (a no-op when it is already up); waits until the
#                                     nodes are idle
#   scripts/slurm/cluster.sh stop     cancel its jobs, stop every daemon it started, wait until
#                                     they are gone (a no-op when nothing runs)
#   scripts/slurm/cluster.sh status   print the daemons and the nodes; exit 0 when all are up
#   scripts/slurm/cluster.sh env      print `export SLURM_CONF=…` for sbatch/squeue/scontrol
#
# Environment:
#   PWS_SLURM_DIR    its folder (default ${TMPDIR:-/tmp}/pws-slurm); every folder above it must
#                    be searchable by all (munged checks that of its socket's folders)
#   PWS_SLURM_PORT   slurmctld's port (default 16817); slurmd n1..nN use PORT+11..PORT+10+N
#   PWS_SLURM_NODES  how many slurmd (default 3), each a 1-CPU node n1..nN
#
# Three slurmd on one host: each is started as `slurmd -N nK` with its own Port=, spool folder
# and pid file (%n in slurm.conf). That is Slurm's multiple-slurmd mode, which Debian's build
# has (its auth_munge.so carries the message compiled only with --enable-multiple-slurmd: "…
# expected in multiple slurmd mode"), not an emulation. docs/scale.md.
# Debian also installs /etc/munge/munge.key and systemd units; neither is used here.
set -euo pipefail

dir=${PWS_SLURM_DIR:-${TMPDIR:-/tmp}/pws-slurm}
port=${PWS_SLURM_PORT:-16817}
nodes=${PWS_SLURM_NODES:-3}
conf="$dir/slurm.conf"
sock="$dir/munge/munge.socket"
export SLURM_CONF="$conf"

die() { echo "cluster.sh: $*" >&2; exit 1; }

# The daemons started here are recorded in $dir/run/daemons, one "name pid start-time" a line,
# read from their pid files right after each starts. That record, not the pid files, says what
# to wait for and stop: Slurm removes its pid files when shutdown begins, before it exits.
record="$dir/run/daemons"

start_time() { # PID -> field 22 of /proc/PID/stat (clock ticks after boot), to tell a reused pid
  local stat
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  set -- $stat
  echo "${20}"
}

remember() { # NAME PIDFILE
  local pid i
  for i in $(seq 1 50); do
    pid=$(cat "$2" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] && break
    sleep 0.1
  done
  [[ "$pid" =~ ^[0-9]+$ ]] || die "$1 wrote no pid file $2"
  echo "$1 $pid $(start_time "$pid")" >> "$record"
}

# Live processes of ours: "name pid" for each recorded daemon still running, plus each
# slurmstepd (a job step) whose environment names our slurm.conf.
live() {
  local name pid t comm p
  if [ -f "$record" ]; then
    while read -r name pid t; do
      { read -r comm < "/proc/$pid/comm"; } 2>/dev/null || continue
      [ "$comm" = "$name" ] || continue
      [ "$(start_time "$pid")" = "$t" ] || continue
      echo "$name $pid"
    done < "$record"
  fi
  for p in /proc/[0-9]*; do
    { read -r comm < "$p/comm"; } 2>/dev/null || continue
    [ "$comm" = slurmstepd ] || continue
    { tr '\0' '\n' < "$p/environ" | grep -qxF "SLURM_CONF=$conf"; } 2>/dev/null || continue
    echo "slurmstepd ${p#/proc/}"
  done
}

live_of() { # KIND: slurm (slurmctld, slurmd, slurmstepd), slurmstepd, munged or all -> how many
  live | awk -v k="$1" 'k == "all" || k == $1 || (k == "slurm" && $1 ~ /^slurm/) { n++ } END { print n + 0 }'
}

wait_gone() { # KIND SECONDS
  local end=$((SECONDS + $2))
  while [ "$(live_of "$1")" != 0 ]; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.2
  done
}

signal_all() { # KIND SIGNAL
  local name pid
  live | while read -r name pid; do
    case "$1:$name" in all:* | slurm:slurm* | munged:munged) kill -"$2" "$pid" 2>/dev/null || true ;; esac
  done
}

all_idle() {
  local idle
  idle=$(sinfo -h -N -o '%N %t' 2>/dev/null | awk '$2 == "idle" { n++ } END { print n + 0 }')
  [ "$idle" = "$nodes" ]
}

write_conf() {
  local host k
  host=$(hostname -s)
  cat > "$conf" <<CONF
# Written by scripts/slurm/cluster.sh; a test cluster on 127.0.0.1, rewritten at every start.
ClusterName=pwstest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
# Bind slurmctld and each slurmd to its configured address (127.0.0.1), not to 0.0.0.0.
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.%n.log
PlugStackConfig=$dir/plugstack.conf
MailProg=/bin/true
# No cgroups: processes are tracked through /proc, tasks are not bound, nothing is sampled.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
# Test all pending jobs every 2 s (defaults: 60 s, backfill 30 s), so a test sees a job start,
# or its dependency fail, within seconds.
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Keep finished jobs visible to scontrol for 10 minutes (there is no accounting database).
MinJobAge=600
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
CONF
  for k in $(seq 1 "$nodes"); do
    echo "NodeName=n$k NodeHostName=$host NodeAddr=127.0.0.1 Port=$((port + 10 + k)) CPUs=1 RealMemory=1024 State=UNKNOWN" >> "$conf"
  done
  echo "PartitionName=pws Nodes=n[1-$nodes] Default=YES MaxTime=INFINITE State=UP" >> "$conf"
}

port_busy() { # PORT
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

start() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
    || die "slurmctld, slurmd or munged not found: install Debian's slurmctld slurmd slurm-client munge (.ci/install-deps)"
  local up total=$((nodes + 2))
  up=$(live | grep -cv '^slurmstepd ' || true)
  if [ "$up" = "$total" ] && scontrol ping >/dev/null 2>&1; then
    echo "cluster.sh: already running ($dir)"; return 0
  fi
  if [ "$(live_of all)" != 0 ]; then
    echo "cluster.sh: $up of $total daemons running; restarting" >&2
    stop
  fi
  local p
  for p in "$port" $(seq $((port + 11)) $((port + 10 + nodes))); do
    if port_busy "$p"; then die "port $p on this machine is in use; choose another PWS_SLURM_PORT"; fi
  done
  rm -rf "$dir/state" "$dir/spool" "$dir/run" "$dir/log"
  mkdir -p "$dir/state" "$dir/run" "$dir/log" "$dir/munge"
  for p in $(seq 1 "$nodes"); do mkdir -p "$dir/spool/n$p"; done
  : > "$record"
  # munged refuses a socket folder others cannot search and a key others can read.
  chmod 755 "$dir" "$dir/munge"
  if [ ! -s "$dir/munge/munge.key" ]; then
    (umask 077; head -c 1024 /dev/urandom > "$dir/munge/munge.key")
  fi
  chmod 400 "$dir/munge/munge.key"
  : > "$dir/plugstack.conf"
  write_conf
  munged --key-file="$dir/munge/munge.key" --socket="$sock" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
    || die "munged did not start; see $dir/munge/munged.log"
  remember munged "$dir/munge/munged.pid"
  slurmctld || die "slurmctld did not start; see $dir/log/slurmctld.log"
  remember slurmctld "$dir/run/slurmctld.pid"
  local k
  for k in $(seq 1 "$nodes"); do
    slurmd -N "n$k" || die "slurmd n$k did not start; see $dir/log/slurmd.n$k.log"
    remember slurmd "$dir/run/slurmd.n$k.pid"
  done
  local i
  for i in $(seq 1 300); do
    if all_idle; then echo "cluster.sh: up, $nodes nodes idle ($dir)"; return 0; fi
    sleep 0.1
  done
  sinfo -N >&2 || true
  die "nodes not idle after 30 s; see $dir/log/"
}

stop() {
  if [ "$(live_of all)" = 0 ]; then echo "cluster.sh: not running ($dir)"; return 0; fi
  if scontrol ping >/dev/null 2>&1; then
    # Jobs first, so no job step outlives its slurmd (KillWait=5 s); then slurmctld, which
    # stops the slurmd.
    scancel --user="$(id -un)" >/dev/null 2>&1 || true
    wait_gone slurmstepd 15 || true
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  # Whatever is still alive after 10 s (or never answered) gets SIGTERM, then SIGKILL; munged
  # goes last, once nothing needs it.
  wait_gone slurm 10 || signal_all slurm TERM
  wait_gone slurm 5 || signal_all slurm KILL
  wait_gone slurm 5 || true
  signal_all munged TERM
  wait_gone all 5 || signal_all all KILL
  if ! wait_gone all 5; then
    live >&2
    die "still running after SIGKILL (above)"
  fi
  echo "cluster.sh: stopped ($dir)"
}

status() {
  local total=$((nodes + 2)) up
  if [ -f "$record" ]; then
    echo "recorded daemons: $(awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }' "$record")"
  fi
  echo "running: $(live | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')"
  up=$(live | grep -cv '^slurmstepd ' || true)
  if [ "$up" = "$total" ] && scontrol ping >/dev/null 2>&1; then
    sinfo -N
    return 0
  fi
  echo "cluster.sh: not (fully) running: $up of $total daemons ($dir)"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) echo "usage: $0 start|stop|status|env   (folder: \$PWS_SLURM_DIR, now $dir)" >&2; exit 2 ;;
esac
