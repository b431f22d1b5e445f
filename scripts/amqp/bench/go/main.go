// amqp091-go counterpart of the Swift AMQP benchmark (same scenarios, same JSON output).
// Built offline against Debian's golang-github-rabbitmq-amqp091-go-dev by scripts/amqp/bench.
//
// Usage: amqpbench URL SCENARIO COUNT   (SCENARIO: publish-1 | publish-100 | consume)
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

func cpu() float64 {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return float64(usage.Utime.Sec+usage.Stime.Sec) + float64(usage.Utime.Usec+usage.Stime.Usec)/1e6
}

func maxRSS() int64 {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return usage.Maxrss
}

// currentRSS is the resident set size now, in KiB (/proc/self/statm).
func currentRSS() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize()) / 1024
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func publish(ch *amqp.Channel, confirms chan amqp.Confirmation, queue string, body []byte, window, count int) {
	ctx := context.Background()
	outstanding := 0
	for i := 0; i < count; i++ {
		must(ch.PublishWithContext(ctx, "", queue, false, false, amqp.Publishing{Body: body}))
		outstanding++
		if outstanding == window {
			for ; outstanding > 0; outstanding-- {
				if c := <-confirms; !c.Ack {
					must(fmt.Errorf("nack %d", c.DeliveryTag))
				}
			}
		}
	}
	for ; outstanding > 0; outstanding-- {
		<-confirms
	}
}

func main() {
	url, scenario := os.Args[1], os.Args[2]
	count, _ := strconv.Atoi(os.Args[3])
	body := make([]byte, 1024)
	for i := range body {
		body[i] = 'a'
	}
	conn, err := amqp.Dial(url)
	must(err)
	ch, err := conn.Channel()
	must(err)
	q, err := ch.QueueDeclare("", false, false, true, false, nil)
	must(err)
	must(ch.Confirm(false))
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, 1000))

	if scenario == "soak" {
		soak(conn, ch, confirms, q.Name, body, count)
		conn.Close()
		return
	}

	var started time.Time
	var cpuStart float64
	switch scenario {
	case "publish-1", "publish-100":
		window := 1
		if scenario == "publish-100" {
			window = 100
		}
		cpuStart, started = cpu(), time.Now()
		publish(ch, confirms, q.Name, body, window, count)
	case "consume":
		publish(ch, confirms, q.Name, body, 500, count)
		consuming, err := conn.Channel()
		must(err)
		must(consuming.Qos(200, 0, false))
		cpuStart, started = cpu(), time.Now()
		deliveries, err := consuming.Consume(q.Name, "", false, false, false, false, nil)
		must(err)
		received := 0
		for d := range deliveries {
			must(d.Ack(false))
			received++
			if received == count {
				break
			}
		}
	}
	elapsed := time.Since(started).Seconds()
	used := cpu() - cpuStart
	fmt.Printf("{\"client\":\"amqp091-go\",\"scenario\":\"%s\",\"messages\":%d,\"seconds\":%.3f,\"msgs_per_s\":%d,\"cpu_us_per_msg\":%.1f,\"max_rss_kib\":%d}\n",
		scenario, count, elapsed, int(float64(count)/elapsed), used/float64(count)*1e6, maxRSS())
	conn.Close()
}

// soak publishes (window 100) and consumes (prefetch 200, ack each) at once for `seconds`,
// sampling RSS every second; the publisher stays at most 10,000 messages ahead.
func soak(conn *amqp.Connection, ch *amqp.Channel, confirms chan amqp.Confirmation, queue string, body []byte, seconds int) {
	var consumed int64
	consuming, err := conn.Channel()
	must(err)
	must(consuming.Qos(200, 0, false))
	deliveries, err := consuming.Consume(queue, "", false, false, false, false, nil)
	must(err)
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	samples := []int64{currentRSS()}
	cpuStart, started := cpu(), time.Now()
	done := make(chan struct{})
	go func() {
		for d := range deliveries {
			must(d.Ack(false))
			n := atomic.AddInt64(&consumed, 1)
			if n%1000 == 0 && time.Now().After(deadline) {
				break
			}
		}
		close(done)
	}()
	go func() {
		sent := int64(0)
		for time.Now().Before(deadline) {
			for sent-atomic.LoadInt64(&consumed) > 10000 {
				time.Sleep(5 * time.Millisecond)
			}
			publish(ch, confirms, queue, body, 100, 100)
			sent += 100
		}
		publish(ch, confirms, queue, body, 100, 1000)
	}()
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		samples = append(samples, currentRSS())
	}
	<-done
	samples = append(samples, currentRSS())
	elapsed := time.Since(started).Seconds()
	used := cpu() - cpuStart
	n := atomic.LoadInt64(&consumed)
	peak := int64(0)
	parts := make([]string, len(samples))
	for i, s := range samples {
		if s > peak {
			peak = s
		}
		parts[i] = strconv.FormatInt(s, 10)
	}
	tenSeconds := samples[len(samples)-1]
	if len(samples) > 10 {
		tenSeconds = samples[10]
	}
	fmt.Printf("{\"client\":\"amqp091-go\",\"scenario\":\"soak\",\"seconds\":%.3f,\"consumed\":%d,\"msgs_per_s\":%d,\"cpu_us_per_msg\":%.1f,\"rss_start_kib\":%d,\"rss_10s_kib\":%d,\"rss_peak_kib\":%d,\"rss_end_kib\":%d,\"max_rss_kib\":%d,\"rss_samples_kib\":[%s]}\n",
		elapsed, n, int(float64(n)/elapsed), used/float64(n)*1e6, samples[0], tenSeconds, peak, samples[len(samples)-1], maxRSS(), strings.Join(parts, ","))
}
