import Glibc

/// CLOCK_MONOTONIC in nanoseconds: one clock for every process on the machine, so a send time
/// written by one bench process is comparable with a receipt time in another.
package enum MonotonicClock {
    package static func nanos() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
