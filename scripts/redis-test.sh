#!/usr/bin/env bash
# A throwaway Redis for the tests of `faceblur worker` and `serve --redis`, shared by .ci/run and by
# test/queue (which starts one itself when FACEBLUR_TEST_REDIS is not set).
#   scripts/redis-test.sh start DIR [PORT]  starts redis-server on a free loopback port with its data in DIR,
#                                     prints its URL (redis://127.0.0.1:PORT) on stdout
#   scripts/redis-test.sh stop DIR    stops it (SHUTDOWN through redis-cli, then the pid file)
# Persistence as the README asks of a production Redis: the append-only file, fsynced before each reply.
set -euo pipefail
cmd=${1:?start|stop}
dir=$(mkdir -p "${2:?data folder}" && cd "$2" && pwd)
case "$cmd" in
  start)
    command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install redis-server" >&2; exit 3; }
    port=${3:-}
    [ -n "$port" ] || port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" --appendonly yes --appendfsync always --save '' --protected-mode yes >/dev/null
    for _ in $(seq 50); do
      redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && { echo "$port" >"$dir/port"; echo "redis://127.0.0.1:$port"; exit 0; }
      sleep 0.1
    done
    echo "redis-server did not answer on port $port (see $dir/redis.log)" >&2
    exit 1
    ;;
  stop)
    [ -f "$dir/port" ] && redis-cli -p "$(cat "$dir/port")" shutdown nosave >/dev/null 2>&1 || true
    [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
