#!/usr/bin/env bash
# The benchmark: each scenario against longpoll-chat and against a private nginx + Nchan (or CometD,
# or the Jetty floors), in turn (A B A B …), on loopback only; then a side-by-side table with ratios
# and a plot.
#
#   bench/run.sh                      # every scenario, 2 rounds: fanout-100 fanout-1k fanout-10k rooms idle
#   bench/run.sh fanout-1k rooms      # only these (also rooms-300: rooms at 300 messages/s, a rate
#                                     # this machine keeps up with, where rooms saturates it)
#   bench/run.sh --rounds=3 idle      # more rounds (the median is reported)
#   bench/run.sh --targets=chat idle  # only longpoll-chat (or --targets=nchan)
#   bench/run.sh --targets=chat,cometd fanout-1k
#                                     # against CometD 8 (CometDChat: its CometDServlet, long polling
#                                     # only, a broadcast channel per room, on the same Jetty and
#                                     # settings), spoken to in Bayeux
#   bench/run.sh --profile fanout-1k  # also a flight recording of this server during each measured
#                                     # run, and its hottest methods (logs/*.jfr, logs/*.hot.txt);
#                                     # of chat, and of chat-redis2's first node
#   bench/run.sh --targets=chat,chat-redis2 fanout-1k rooms rooms-300
#                                     # one node in memory against two nodes of one chat on a private
#                                     # redis-server (AOF on), the load generator sending each request
#                                     # to the next node; Redis's CPU and calls per send and per poll
#                                     # too (installs Debian's redis-server when missing)
#   bench/run.sh --targets=chat --chat-args="--threads=200" fanout-100
#                                     # extra flags for this server, to compare settings
#   bench/run.sh --targets=chat --jar=/tmp/other.jar fanout-1k
#                                     # another build of the jar, to compare code side by side
#   bench/run.sh --targets=chat,nchan,floor-core,floor-servlet fanout-1k
#                                     # and the floors: the least any server on this Jetty costs
#                                     # (any floor-<api> of JettyFloor: core, core-selector, servlet,
#                                     # servlet-direct, servlet-selector, servlet-selector-direct)
#   bench/run.sh --java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java --targets=chat,cometd fanout-1k
#                                     # the JVM that runs the servers (this one, CometD, the floors;
#                                     # a JDK's home will do too); the load generator keeps `java`
#   bench/run.sh --targets=chat,chat-java25,chat-java25-coh fanout-1k idle
#                                     # this server on --java and on Java 25 (--java25=PATH, default
#                                     # Temurin 25), without and with -XX:+UseCompactObjectHeaders,
#                                     # side by side
#
# Results: target/bench/run-<time>/ (results.jsonl, one JSON line per run; summary.md; plot.png;
# the servers' and the load generator's logs). target/bench/latest points to the last run.
#
# Needs Java 17 and Maven (CometD comes from Maven Central, in the build's test scope); installs
# Debian's gnuplot-nox, and for the nchan target nginx and libnginx-mod-nchan, when they are missing
# (as root). The system's nginx service is never used: Nchan runs from its own config, pid file and
# temp folders under the run's folder. Nothing global is changed (no sysctl, no ulimit).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=2
targets="chat nchan"
profile=false
chat_args=""
jar="target/longpoll-chat.jar"
server_java="java"
java25="/usr/lib/jvm/temurin-25-jdk-amd64"
scenarios=()
for arg in "$@"; do
  case "$arg" in
    --rounds=*) rounds="${arg#--rounds=}" ;;
    --targets=*) targets="${arg#--targets=}"; targets="${targets//,/ }" ;;
    --profile) profile=true ;;
    --chat-args=*) chat_args="${arg#--chat-args=}" ;;
    --jar=*) jar="${arg#--jar=}" ;;
    --java=*) server_java="${arg#--java=}" ;;
    --java25=*) java25="${arg#--java25=}" ;;
    -h|--help) sed -n '2,/^set /p' "$0" | grep '^#'; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) scenarios+=("$arg") ;;
  esac
done
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(fanout-100 fanout-1k fanout-10k rooms idle)
fi
java_of() { # a java executable, or a JDK's home
  if [ -d "$1" ]; then echo "$1/bin/java"; else echo "$1"; fi
}
server_java="$(java_of "$server_java")"
if ! "$server_java" -version >/dev/null 2>&1; then
  echo "--java: cannot run $server_java" >&2
  exit 2
fi
java25="$(java_of "$java25")"
case " $targets " in
  *" chat-java25"*)
    if ! "$java25" -version >/dev/null 2>&1; then
      echo "--java25: cannot run $java25" >&2
      exit 2
    fi ;;
esac
# jcmd and the flight recording's reader from the servers' JDK, which may be newer than `java`.
server_bin="$(dirname "$(readlink -f "$(command -v "$server_java")")")"
# How long a poll is held, in every server alike (this one's --poll-timeout, Nchan's, CometD's timeout).
poll_timeout=30

# Each scenario's load generator flags (see LoadGenerator --help). Senders are among the tabs.
flags_of() {
  case "$1" in
    fanout-100) echo "--scenario=fanout --clients=100 --messages=200 --rate=20" ;;
    fanout-1k)  echo "--scenario=fanout --clients=1000 --messages=200 --rate=20" ;;
    fanout-10k) echo "--scenario=fanout --clients=10000 --messages=50 --rate=5 --warmup-seconds=10" ;;
    # CometD's documented shape: 1,000 clients in 10 rooms of 100, 919 messages/s, 50-byte texts.
    rooms)      echo "--scenario=rooms --clients=1000 --room-size=100 --rate=919 --messages=9190 --text-bytes=50" ;;
    # The same at 300 messages/s, which every server here keeps up with: its CPU per delivery is
    # not that of a saturated machine, which batches more events per answer the further it lags.
    rooms-300)  echo "--scenario=rooms --clients=1000 --room-size=100 --rate=300 --messages=3000 --text-bytes=50" ;;
    idle)       echo "--scenario=idle --clients=19000 --idle-seconds=60" ;;
    *) echo "unknown scenario: $1" >&2; exit 2 ;;
  esac
}
for s in "${scenarios[@]}"; do flags_of "$s" >/dev/null; done

# ---- tools ----
need=()
case " $targets " in *" nchan "*) with_nchan=true ;; *) with_nchan=false ;; esac
if [ "$with_nchan" = true ]; then
  command -v nginx >/dev/null 2>&1 || need+=(nginx)
  [ -e /usr/lib/nginx/modules/ngx_nchan_module.so ] || need+=(libnginx-mod-nchan)
fi
case " $targets " in *" chat-redis2 "*) command -v redis-server >/dev/null 2>&1 || need+=(redis-server) ;; esac
command -v gnuplot >/dev/null 2>&1 || need+=(gnuplot-nox)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench/run.sh: please install ${need[*]} (Debian packages), or run as root" >&2
    exit 1
  fi
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# ---- build: the jar, the benchmark and the classpath, by the pom's bench profile ----
# bench/src/{main,jmh}/java compile with the tests, so their classes are in target/test-classes.
mvn -B -q -Pbench -DskipTests -DskipTomcat=true package
CP="target/test-classes:target/classes:$(cat target/bench/classpath.txt)"

stamp="$(date +%Y%m%d-%H%M%S)"
OUT="target/bench/run-$stamp"
mkdir -p "$OUT/logs"
ln -sfn "run-$stamp" target/bench/latest
RESULTS="$OUT/results.jsonl"

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# The server's pid; for several nodes, their pids separated by commas. REDIS_PID/REDIS_PORT: the
# private Redis of chat-redis2, stopped after its nodes.
SERVER_PID=""
REDIS_PID=""
REDIS_PORT=""
stop_pid() {
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
stop_server() {
  local pid
  for pid in ${SERVER_PID//,/ } $REDIS_PID; do stop_pid "$pid"; done
  SERVER_PID=""
  REDIS_PID=""
  REDIS_PORT=""
}
trap stop_server EXIT INT TERM

# Waits (at most 30 s) until the port answers, while process $2 (default: the server) runs.
wait_port() {
  local pid=${2:-$SERVER_PID}
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "the server exited; see its log" >&2; return 1; }
    sleep 0.1
  done
  echo "the server did not listen on $1 within 30 s" >&2
  return 1
}

# One node of this server, on a free port from $2, on the JVM $node_java with $node_jvm_flags; sets
# NODE_PID and NODE_URL.
node_java="$server_java"
node_jvm_flags=""
start_chat_node() { # log first-port [flags...]
  local log=$1 port; port=$(free_port "$2"); shift 2
  # shellcheck disable=SC2086
  "$node_java" -Xmx768m $node_jvm_flags -jar "$jar" --host=127.0.0.1 --port="$port" \
    --rate-limit=0 --max-clients=100000 --mailbox=5000 --poll-timeout="$poll_timeout" "$@" $chat_args >"$log" 2>&1 &
  NODE_PID=$!
  wait_port "$port" "$NODE_PID"
  NODE_URL="http://127.0.0.1:$port/"
}

start_chat_on() { # log java [jvm-flags...]
  node_java=$2
  node_jvm_flags="${*:3}"
  start_chat_node "$1" 18180
  node_java="$server_java"
  node_jvm_flags=""
  SERVER_PID=$NODE_PID
  URL=$NODE_URL
}
start_chat() { start_chat_on "$1" "$server_java"; }
start_chat-java25() { start_chat_on "$1" "$java25"; }
start_chat-java25-coh() { start_chat_on "$1" "$java25" -XX:+UseCompactObjectHeaders; }

# Two nodes of one chat on a private redis-server: its own port and data folder under the run's,
# AOF on (as the README says to run it), never the system's service.
start_chat-redis2() { # log
  local dir; dir="$(pwd)/$OUT/redis"
  rm -rf "$dir"; mkdir -p "$dir"
  REDIS_PORT=$(free_port 18170)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync everysec \
    --save "" --daemonize no --logfile "$dir/redis.log" >/dev/null 2>&1 &
  REDIS_PID=$!
  wait_port "$REDIS_PORT" "$REDIS_PID"
  start_chat_node "$1.node1" 18180 --redis="redis://127.0.0.1:$REDIS_PORT/0"
  SERVER_PID=$NODE_PID
  URL=$NODE_URL
  start_chat_node "$1.node2" 18185 --redis="redis://127.0.0.1:$REDIS_PORT/0"
  SERVER_PID="$SERVER_PID,$NODE_PID"
  URL="$URL,$NODE_URL"
}

# A server of the benchmark's own (bench/src/main/java), on the same JVM and heap as longpoll-chat.
start_bench_server() { # log class url-path [flags...]
  local log=$1 class=$2 path=$3 port; shift 3
  port=$(free_port 18200)
  "$server_java" -Xmx768m -cp "$CP" "io.github.longpollchat.bench.$class" --port="$port" "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  wait_port "$port"
  URL="http://127.0.0.1:$port/$path"
}

# A floor: JettyFloor, the least a long-polling server on this Jetty costs; it speaks Nchan's protocol.
start_floor() { # api log
  start_bench_server "$2" JettyFloor "" --api="$1"
}

# CometD 8 (CometDChat), long polling only; it speaks Bayeux.
start_cometd() { # log
  start_bench_server "$1" CometDChat cometd/ --timeout-seconds="$poll_timeout"
}

# The protocol the load generator speaks to a target.
protocol_of() {
  case "$1" in
    chat|chat-java25|chat-java25-coh|chat-redis2) echo chat ;;
    nchan|floor-*) echo nchan ;;
    cometd) echo cometd ;;
    *) echo "unknown target: $1 (chat, chat-java25, chat-java25-coh, chat-redis2, nchan, cometd, floor-<api>: see JettyFloor)" >&2; exit 2 ;;
  esac
}
for t in $targets; do protocol_of "$t" >/dev/null; done

start_nchan() { # log
  local port dir; port=$(free_port 18190)
  dir="$(pwd)/$OUT/nchan"
  rm -rf "$dir"; mkdir -p "$dir/tmp"
  sed -e "s#@DIR@#$dir#g" -e "s#@PORT@#$port#g" -e "s#@WORKERS@#2#g" -e "s#@POLL@#$poll_timeout#g" \
    bench/nchan.conf.template >"$dir/nginx.conf"
  nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$1" 2>&1 &
  SERVER_PID=$!
  wait_port "$port"
  URL="http://127.0.0.1:$port/"
}

nchan_version=""
if [ "$with_nchan" = true ]; then
  nchan_version="$(nginx -v 2>&1), Nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null), "
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)," \
  "${nchan_version}load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/machine.txt"
jvm_version() { # java
  "$1" -version 2>&1 | grep -v '^Picked up' | head -2 | paste -sd '|' | sed 's/|/, /'
}
echo "servers' JVM: $(jvm_version "$server_java") ($server_java)" | tee -a "$OUT/machine.txt"
case " $targets " in
  *" chat-java25"*) echo "chat-java25's JVM: $(jvm_version "$java25") ($java25)" | tee -a "$OUT/machine.txt" ;;
esac
echo "load generator's JVM: $(jvm_version java)" | tee -a "$OUT/machine.txt"
echo "longpoll-chat: $jar${chat_args:+ $chat_args}" | tee -a "$OUT/machine.txt"
case " $targets " in
  *" chat-redis2 "*) echo "chat-redis2: 2 nodes on $(redis-server --version | cut -d' ' -f1-3)" | tee -a "$OUT/machine.txt" ;;
esac

# Whether this target's server gets a flight recording (chat-redis2: its first node's).
profiled() { # target
  [ "$profile" = true ] && { [ "$1" = chat ] || [ "$1" = chat-redis2 ]; }
}

for scenario in "${scenarios[@]}"; do
  for round in $(seq 1 "$rounds"); do
    for target in $targets; do
      log="$OUT/logs/$scenario-$target-$round"
      echo "== $scenario, round $round: $target"
      case "$target" in
        floor-*) start_floor "${target#floor-}" "$log.server.log" ;;
        *) "start_$target" "$log.server.log" ;;
      esac
      if [ "$scenario" != idle ]; then
        # A fresh JVM spends its first minute compiling: one unmeasured pass first, for both servers
        # alike, so that the run measures the server warm, as it runs for days. 20 s of it: after
        # 10 s, perf still found the JIT compiler at 15-24 % of the server's CPU in fanout-1k's
        # measured run (7-9 % after 20 s). (Not before idle, whose memory baseline would count the
        # warm-up's tabs until their TTL; they expire 60 s after it, near or after the end of the
        # longest run, and their 500 leave events cost the server a fraction of a second.)
        java -Xmx1g -XX:+UseParallelGC -cp "$CP" io.github.longpollchat.bench.LoadGenerator \
          --target="$(protocol_of "$target")" --url="$URL" --clients=500 --messages=4000 --rate=200 --warmup-seconds=0 \
          --verbose=false >"$log.warmup.out" 2>&1 || true
      fi
      if profiled "$target"; then
        "$server_bin/jcmd" "${SERVER_PID%%,*}" JFR.start name=bench settings="$(pwd)/bench/sampling.jfc" >"$log.jcmd.txt" 2>&1
      fi
      # shellcheck disable=SC2046
      if ! java -Xmx1g -XX:+UseParallelGC -cp "$CP" io.github.longpollchat.bench.LoadGenerator \
          --target="$(protocol_of "$target")" --server-name="$target" --url="$URL" --server-pid="$SERVER_PID" --label="$scenario" \
          ${REDIS_PID:+--redis-pid="$REDIS_PID" --redis-port="$REDIS_PORT"} \
          --json-out="$RESULTS" $(flags_of "$scenario") >"$log.out" 2>"$log.err"; then
        echo "   (lost or doubled deliveries; see $log.out)"
      fi
      grep -v '^{' "$log.out" | sed 's/^/   /'
      if profiled "$target"; then
        "$server_bin/jcmd" "${SERVER_PID%%,*}" JFR.stop name=bench filename="$(pwd)/$log.jfr" >>"$log.jcmd.txt" 2>&1
        "$server_java" -cp "$CP" io.github.longpollchat.bench.HotMethods "$log.jfr" 25 >"$log.hot.txt"
        echo "   profile: $log.hot.txt (recording: $log.jfr)"
      fi
      stop_server
      sleep 2
    done
  done
done

java -cp "$CP" io.github.longpollchat.bench.BenchSummary "$RESULTS" "$OUT" | tee "$OUT/summary.txt"
if command -v gnuplot >/dev/null 2>&1 && grep -q fanout "$RESULTS"; then
  gnuplot "$OUT/plot.gp" && echo "plot: $OUT/plot.png"
fi
echo "results: $OUT"
