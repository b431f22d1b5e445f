#!/usr/bin/env bash
# Makes sure a local RabbitMQ is installed, running and accepts guest/guest on localhost.
#
# Idempotent: installs rabbitmq-server with apt-get only when it is missing, starts the broker
# only when it is not running (bounded wait), and (re)sets the guest password. The repository's
# test command runs this before `swift test`; AMQP integration tests connect to
# amqp://guest:guest@127.0.0.1:5672/. Also installs the Python client pika for the interop
# tests when pip can (set SKIP_PIKA=1 to skip).
set -euo pipefail

log() { echo "rabbitmq.sh: $*" >&2; }

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then
    log "installing rabbitmq-server"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server amqp-specs >/dev/null
fi
export PATH="$PATH:/usr/sbin:/usr/lib/rabbitmq/bin"

# Loopback only: the broker must never be reachable from outside this machine.
CONF=/etc/rabbitmq/rabbitmq.conf
if [ -w /etc/rabbitmq ] || [ -n "$SUDO" ]; then
    if ! grep -q "^listeners.tcp.default" "$CONF" 2>/dev/null; then
        echo "listeners.tcp.default = 127.0.0.1:5672" | $SUDO tee -a "$CONF" >/dev/null
    fi
fi

running() { timeout 20 rabbitmqctl -q status >/dev/null 2>&1; }

if ! running; then
    log "starting rabbitmq-server"
    # Erlang distribution and epmd on loopback too: nothing of the broker faces the network.
    START="ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' rabbitmq-server -detached"
    if [ "$(id -u)" = "0" ] && id rabbitmq >/dev/null 2>&1; then
        # As the rabbitmq user, so the Erlang cookie and data dir match what rabbitmqctl uses.
        su rabbitmq -s /bin/sh -c "PATH=$PATH $START" >/dev/null 2>&1 || true
    else
        $SUDO sh -c "$START" >/dev/null 2>&1 || true
    fi
    deadline=$((SECONDS + 120))
    until timeout 30 rabbitmqctl -q await_startup >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "rabbitmq did not start within 120 s"
            exit 1
        fi
        sleep 2
    done
fi

# Tests set a tiny memory watermark to trigger connection.blocked; never leave it set.
timeout 20 rabbitmqctl -q set_vm_memory_high_watermark 0.4 >/dev/null 2>&1 || true

if ! timeout 20 rabbitmqctl -q list_users 2>/dev/null | grep -q "^guest"; then
    timeout 20 rabbitmqctl -q add_user guest guest >/dev/null
    timeout 20 rabbitmqctl -q set_user_tags guest administrator >/dev/null
fi
timeout 20 rabbitmqctl -q change_password guest guest >/dev/null 2>&1 || true
timeout 20 rabbitmqctl -q set_permissions -p / guest ".*" ".*" ".*" >/dev/null

if [ "${SKIP_PIKA:-}" != "1" ] && ! python3 -c "import pika" >/dev/null 2>&1; then
    log "installing pika for the interop tests"
    python3 -m pip install --quiet pika >/dev/null 2>&1 \
        || python3 -m pip install --quiet --break-system-packages pika >/dev/null 2>&1 \
        || log "could not install pika; interop tests will skip (or fail under CI)"
fi

log "RabbitMQ is up on 127.0.0.1:5672 (guest/guest)"
