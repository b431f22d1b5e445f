#!/usr/bin/env python3
"""Consume COUNT messages from QUEUE with pika and print them as JSON lines.

Used by the Swift interop tests (Tests/AMQPTests/Interop): the Swift client publishes, pika
consumes, and the test compares bodies, properties and headers. Header values are printed with
their Python type so the test can check the AMQP field types survived.

Usage: pika_consume.py URL QUEUE COUNT
"""
import base64
import datetime
import decimal
import json
import sys

import pika


def encode(value):
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"timestamp": int(value.replace(tzinfo=datetime.timezone.utc).timestamp())}
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode()}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, dict):
        return {"table": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"array": [encode(v) for v in value]}
    if value is None:
        return {"void": None}
    return {"unknown": repr(value)}


def main():
    url, queue, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    received = 0
    for method, properties, body in channel.consume(queue, inactivity_timeout=20):
        if method is None:
            break
        print(json.dumps({
            "body": base64.b64encode(body).decode(),
            "routing_key": method.routing_key,
            "content_type": properties.content_type,
            "content_encoding": properties.content_encoding,
            "delivery_mode": properties.delivery_mode,
            "priority": properties.priority,
            "correlation_id": properties.correlation_id,
            "reply_to": properties.reply_to,
            "expiration": properties.expiration,
            "message_id": properties.message_id,
            "timestamp": properties.timestamp,
            "type": properties.type,
            "user_id": properties.user_id,
            "app_id": properties.app_id,
            "headers": {k: encode(v) for k, v in (properties.headers or {}).items()},
        }), flush=True)
        channel.basic_ack(method.delivery_tag)
        received += 1
        if received == count:
            break
    channel.cancel()
    connection.close()
    return 0 if received == count else 1


if __name__ == "__main__":
    sys.exit(main())
