#!/usr/bin/env python3
"""pika counterpart of the Swift AMQP benchmark (same scenarios, same JSON output).

Usage: pika_bench.py URL SCENARIO COUNT   (SCENARIO: publish-1 | consume)

pika's BlockingConnection waits for each confirm inside basic_publish, so only a window of 1
is measured; "publish-100" is reported as not applicable.
"""
import json
import resource
import sys
import time

import pika


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    url, scenario, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    body = b"a" * 1024
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    if scenario == "publish-100":
        print(json.dumps({"client": "pika", "scenario": scenario, "messages": 0, "note": "not supported by BlockingConnection"}))
        return 0
    if scenario == "consume":
        for _ in range(count):
            channel.basic_publish("", queue, body)
        channel.basic_qos(prefetch_count=200)
        cpu_start, started = cpu(), time.monotonic()
        received = 0
        for method, _properties, _body in channel.consume(queue):
            channel.basic_ack(method.delivery_tag)
            received += 1
            if received == count:
                break
        channel.cancel()
    else:
        channel.confirm_delivery()
        cpu_start, started = cpu(), time.monotonic()
        for _ in range(count):
            channel.basic_publish("", queue, body)
    elapsed = time.monotonic() - started
    used = cpu() - cpu_start
    print(json.dumps({
        "client": "pika", "scenario": scenario, "messages": count, "seconds": round(elapsed, 3),
        "msgs_per_s": int(count / elapsed), "cpu_us_per_msg": round(used / count * 1e6, 1),
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
