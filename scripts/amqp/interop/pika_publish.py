#!/usr/bin/env python3
"""Publish COUNT messages to QUEUE with pika, with every property and many header types.

(pika cannot encode float header values, so none are sent.)

Used by the Swift interop tests: pika publishes with publisher confirms, the Swift client
consumes and checks that bodies, properties and headers arrive exactly as pika wrote them.

Usage: pika_publish.py URL QUEUE COUNT
"""
import datetime
import decimal
import sys

import pika


def main():
    url, queue, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.confirm_delivery()
    for index in range(count):
        properties = pika.BasicProperties(
            content_type="application/json",
            content_encoding="utf-8",
            headers={
                "str": "hello",
                "int": 42,
                "negative": -7,
                "big": 2**40,
                "bool": True,
                "decimal": decimal.Decimal("3.14"),
                "time": datetime.datetime(2023, 11, 14, 22, 13, 20),
                "bytes": b"\x00\x01\xff",
                "table": {"nested": "yes", "n": 1},
                "list": ["a", 1, False],
                "none": None,
                "index": index,
            },
            delivery_mode=2,
            priority=4,
            correlation_id="corr-%d" % index,
            reply_to="replies",
            expiration="60000",
            message_id="pika-%d" % index,
            timestamp=1700000000 + index,
            type="interop",
            user_id="guest",
            app_id="pika",
        )
        body = ('{"index": %d, "text": "héllo"}' % index).encode()
        channel.basic_publish(exchange="", routing_key=queue, body=body, properties=properties, mandatory=True)
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
