#!/usr/bin/env bash
# Runs a real single-node Kafka broker (KRaft, broker + controller) from Maven Central jars; no Docker.
#   deploy/kafka/run-broker.sh                 # listens on 127.0.0.1:9092, data in deploy/kafka/data
#   KAFKA_PORT=19092 KAFKA_DATA=/var/lib/compactor-kafka deploy/kafka/run-broker.sh
# Stop it with Ctrl-C or SIGTERM (the script execs the broker, so its PID is the broker's).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
data="${KAFKA_DATA:-$here/data}"
host="${KAFKA_ADVERTISED_HOST:-127.0.0.1}"
listen="${KAFKA_LISTEN_HOST:-127.0.0.1}"

if [ ! -d "$here/lib" ]; then
  echo "fetching the Kafka broker jars from Maven Central into $here/lib ..."
  mvn -B -q -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$here/lib"
fi

mkdir -p "$data"
props="$data/server.properties"
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$listen:$controller_port
listeners=PLAINTEXT://$listen:$port,CONTROLLER://$listen:$controller_port
advertised.listeners=PLAINTEXT://$host:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/logs
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS

if [ ! -f "$data/logs/meta.properties" ]; then
  cluster_id="$(java -cp "$here/lib/*" kafka.tools.StorageTool random-uuid)"
  java -cp "$here/lib/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >/dev/null
fi
echo "Kafka broker on $host:$port (data in $data)"
exec java -Xms256m -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$here/lib/*" kafka.Kafka "$props"
