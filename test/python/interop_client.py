"""A platform written in Python (confluent-kafka + fastavro) talking to the recommender over the public contract.

Publishes one RecommendationRequest per user to rec.requests.v1 (Avro binary, key = userId, the murmur2
partitioner a Java or kafkajs client uses), then reads rec.actions.v1 until every request is answered, and
prints one JSON line per answered request: the partition the request went to, the partition the action came
back on, and the action itself. See docs/contract.md.

    python interop_client.py --brokers 127.0.0.1:9092 --topic-prefix t-x. --schemas shared/schemas \
        --users 8 --run-id abc --candidates item-1,item-2,item-3 --timeout-s 90
"""
import argparse
import io
import json
import sys
import time
import uuid

import fastavro
from confluent_kafka import Consumer, Producer


def load_schema(schemas_dir, name):
    with open(f"{schemas_dir}/{name}.avsc", encoding="utf-8") as handle:
        return fastavro.parse_schema(json.load(handle))


def encode(schema, record):
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, record)
    return buffer.getvalue()


def decode(schema, data):
    return fastavro.schemaless_reader(io.BytesIO(data), schema)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic-prefix", default="")
    parser.add_argument("--schemas", required=True)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--run-id", default=uuid.uuid4().hex[:8])
    parser.add_argument("--candidates", default="")
    parser.add_argument("--timeout-s", type=float, default=90)
    args = parser.parse_args()

    request_schema = load_schema(args.schemas, "RecommendationRequest")
    action_schema = load_schema(args.schemas, "RecommendationAction")
    requests_topic = f"{args.topic_prefix}rec.requests.v1"
    actions_topic = f"{args.topic_prefix}rec.actions.v1"

    # librdkafka's default partitioner (consistent_random, CRC32) puts a key on another partition than
    # Java's and kafkajs's murmur2 would: one user's requests, actions and feedback would not meet.
    producer = Producer({"bootstrap.servers": args.brokers, "partitioner": "murmur2_random", "acks": "all"})
    sent = {}

    def delivered(error, message):
        if error is not None:
            raise RuntimeError(f"delivery failed: {error}")
        sent[message.key().decode("utf-8")] = message.partition()

    candidates = [item for item in args.candidates.split(",") if item] or None
    requests = {}
    for index in range(args.users):
        user_id = f"py-user-{args.run_id}-{index}"
        request = {
            "requestId": f"py-{args.run_id}-{index}",
            "userId": user_id,
            "timestamp": int(time.time() * 1000),
            "surface": "home",
            "contextItemId": None,
            "candidateItemIds": candidates,
            "slateSize": 2,
            "attributes": {"client": "python"},
        }
        requests[request["requestId"]] = request
        producer.produce(requests_topic, key=user_id.encode("utf-8"), value=encode(request_schema, request), on_delivery=delivered)
    producer.flush(30)
    if len(sent) != len(requests):
        raise RuntimeError(f"only {len(sent)} of {len(requests)} requests were acknowledged")

    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": f"{args.topic_prefix}py-reader-{args.run_id}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([actions_topic])
    answered = {}
    deadline = time.time() + args.timeout_s
    try:
        while len(answered) < len(requests) and time.time() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error() is not None:
                continue
            action = decode(action_schema, message.value())
            if action["requestId"] in requests:
                answered[action["requestId"]] = (message.partition(), message.key().decode("utf-8"), action)
    finally:
        consumer.close()

    for request_id, request in requests.items():
        if request_id not in answered:
            print(json.dumps({"requestId": request_id, "answered": False}))
            continue
        partition, key, action = answered[request_id]
        print(json.dumps({
            "requestId": request_id,
            "answered": True,
            "userId": request["userId"],
            "requestPartition": sent[request["userId"]],
            "actionPartition": partition,
            "actionKey": key,
            "action": action,
        }))
    return 0 if len(answered) == len(requests) else 1


if __name__ == "__main__":
    sys.exit(main())
