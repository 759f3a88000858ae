package io.compactor.core.kafka;

import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An in-JVM broker with the admin client and the job producer the integration tests share; closing it closes
 * the clients, then stops the broker.
 *
 * @param kafka the broker
 * @param admin creates each test's topics
 * @param producer writes job records (key: job id, value: the JSON bytes)
 */
record TestBroker(EmbeddedKafka kafka, Admin admin, KafkaProducer<String, byte[]> producer)
    implements AutoCloseable {

  static TestBroker start() {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return new TestBroker(kafka, Admin.create(p),
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
  }

  @Override
  public void close() {
    producer.close();
    admin.close();
    kafka.close();
  }
}
