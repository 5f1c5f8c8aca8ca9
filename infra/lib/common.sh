# shellcheck shell=bash disable=SC2034  # REPO_ROOT/LOCAL_DIR are used by the scripts that source this
# Shared helpers for infra/bin/*. Sourced, never executed.
# Callers set `set -euo pipefail` themselves and define TAG (the prefix of every message).

# Repository root, resolved from this file's location so the scripts work from any cwd.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="${REPO_ROOT}/.local"

say() { printf '%s: %s\n' "${TAG:-infra}" "$*"; }
warn() { printf '%s: %s\n' "${TAG:-infra}" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "${TAG:-infra}" "$*" >&2; exit 1; }

# Monotonic-enough wall clock in nanoseconds, and "N.N" seconds since a given start.
now_ns() { date +%s%N; }
elapsed_s() { local start=$1 end; end=$(now_ns); awk -v d="$((end - start))" 'BEGIN { printf "%.1f", d / 1e9 }'; }

# Is a port in the valid range?
check_port() {
  local name=$1 value=$2
  if ! [[ $value =~ ^[0-9]+$ ]] || (( value < 1 || value > 65535 )); then
    die "${name}='${value}' is not a TCP port (1-65535)"
  fi
}

# Does something accept TCP connections on 127.0.0.1:PORT? (bash /dev/tcp, 1 s timeout)
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Best-effort description of who listens on a port ("pid 123 (python3)"), empty if unknown.
port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n1 \
    | sed -E 's/users:\(\("([^"]*)",pid=([0-9]+).*/pid \2 (\1)/' || true
}

# Message for a port that something else already holds; exits 1. Optional 3rd arg: extra detail.
die_port_taken() {
  local port=$1 env_name=$2 detail=${3:-} owner
  owner=$(port_owner "$port")
  die "port ${port} on 127.0.0.1 is already in use${owner:+ by ${owner}}${detail:+ (${detail})}.
  Free it ('ss -ltnp \"sport = :${port}\"' shows the owner; stop that process),
  or pick another port: ${env_name}=<port> $0"
}

# PID read from a pid file, or empty if the file is missing/garbage.
read_pid() {
  local f=$1 pid=""
  [[ -f $f ]] && pid=$(tr -dc '0-9' <"$f" 2>/dev/null || true)
  printf '%s' "$pid"
}

# Is PID alive and does its command line contain PATTERN? (guards against pid reuse)
pid_matches() {
  local pid=$1 pattern=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ -r /proc/$pid/cmdline ]] || return 0   # no procfs: trust kill -0
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern"
}

# Stop PID (SIGTERM, wait up to TIMEOUT s, then SIGKILL). Returns once it is gone.
stop_pid() {
  local pid=$1 timeout_s=$2 what=$3 waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= timeout_s * 10 )); then
      warn "${what} (pid ${pid}) still alive after ${timeout_s} s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}
